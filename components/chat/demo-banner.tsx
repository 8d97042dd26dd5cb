export function DemoBanner() {
  return (
    <p className="demo-banner" role="note" data-testid="demo-banner">
      <strong>Demo model.</strong> No <code>OPENAI_API_KEY</code> is set, so replies are simulated locally. Every request
      still goes through the full guard pipeline.
    </p>
  );
}
