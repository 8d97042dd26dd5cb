type UsageMeterProps = { label: string; used: number; limit: number };

export function UsageMeter({ label, used, limit }: UsageMeterProps) {
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span>
          {used.toLocaleString("en-US")} of {limit.toLocaleString("en-US")}
        </span>
      </div>
      <div
        className="meter-bar"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={used}
      >
        <div className="meter-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
