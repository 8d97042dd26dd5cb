// Shared by the sign-up form (as a hint) and the server (as the rule).
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
