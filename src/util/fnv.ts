/** The 32-bit FNV prime: the multiplier of every FNV-1 hash over characters or bytes here. */
export const FNV_PRIME = 16777619;
