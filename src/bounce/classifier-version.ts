/**
 * The classifier's version: what a store records with the replies it classified, so that a store written
 * by another version re-classifies them (a reply's class is kept per distinct reply, not per event).
 * Bump it with every change to what `classifyReply` / `classifyEvent` return for some input — a rule
 * table's entry, a status or phase verdict, a category's advice. test/bounce/classifier-version.test.ts
 * fingerprints the rule data and the classifier's answers and fails until the bump is made.
 */
export const CLASSIFIER_VERSION = 93;
