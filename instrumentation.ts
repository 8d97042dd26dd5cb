// Runs once when a server instance starts. In production, a missing secret or an embedded
// database/store stops the start with one message that lists everything missing.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { refuseUnsafeProductionStart } = await import("@/lib/startup-check");
    refuseUnsafeProductionStart();
    // Says at start (one line) when the database has no pgvector and the semantic cache is off.
    const { semanticCacheReady } = await import("@/lib/semantic/cache");
    void semanticCacheReady().catch((error) => console.error("[semantic-cache] could not check the database at start", error));
  }
}
