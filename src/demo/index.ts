export { type Campaign, planCampaigns, SHORTENER_LINKS } from "./campaigns.ts";
export { type Layout, type WrittenProgram, writeCampaignMessages, writeProgramFiles } from "./files.ts";
export { defaultInjections, type Injection, type ProgramOptions, programOptions } from "./options.ts";
export { buildPopulation, DEFAULT_PROVIDER_MIX, type Population, SEGMENTS } from "./population.ts";
export { generateEvents, type Program, planProgram, type SimEvent } from "./program.ts";
export { Random } from "./random.ts";
export { pmtaLine, sendgridLine } from "./writers.ts";
