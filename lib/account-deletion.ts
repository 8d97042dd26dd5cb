/** What a user types to confirm deleting their account (checked again on the server). */
export const DELETE_CONFIRMATION = "DELETE";
