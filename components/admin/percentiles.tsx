/** "Guard p50 / p95", the abbreviations spelled out on hover (and for screen readers, by title). */
export function PercentilesTerm({ label }: { label: string }) {
  return (
    <>
      {label}{" "}
      <abbr title="median" className="cursor-help">
        p50
      </abbr>
      {" / "}
      <abbr title="95th percentile: 1 request in 20 is slower" className="cursor-help">
        p95
      </abbr>
    </>
  );
}
