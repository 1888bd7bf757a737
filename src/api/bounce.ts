/**
 * `deliverlens/bounce`: classify bounces (an SMTP reply, a bounce email or mbox, a log or ESP event file,
 * a stream) into records: provider, provider code, reason, category, action. Functions and types only.
 */
export { type Classification, classifyReply, type ReplyInput } from "../bounce/classify.ts";
export { detectProvider, providerFromDomain, providerFromHost, recipientDomain } from "../bounce/provider.ts";
export type { BounceRecord, RuleRef, SourceRef } from "../bounce/record.ts";
export { jsonRecord } from "../bounce/render-output.ts";
export { extractProviderCode } from "../bounce/rules/provider-codes.ts";
export { type ParsedReply, parseReply } from "../bounce/smtp-reply.ts";
export type { Category, Provider, Reason } from "../bounce/vocabulary.ts";
export { createEventClassifier, type EventClassifier } from "../pipeline/classify-events.ts";
export { type ClassifyItem, type ClassifyOptions, isProblem } from "../pipeline/classify-source.ts";
export { classifyEmail, classifyFile, classifyStream, classifyText } from "../pipeline/library.ts";
export type { ParseProblem } from "../util/problem.ts";
