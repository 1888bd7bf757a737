/**
 * The characters the reply key takes as an address's local part (a regular expression's character class body,
 * without brackets). One definition for the key's masker (reply-key.ts) and the status reader (smtp-reply.ts),
 * which must never read a status out of what the key masks (review R100's rule; R112). line-bytes.wat's byte
 * classes hold the same set (its tests compare it with the JavaScript masker).
 */
export const LOCAL_PART_CHARACTERS = "A-Za-z0-9._%+=-";
