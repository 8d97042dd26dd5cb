"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/** False during the server render and hydration, true after: for output in the reader's time zone. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}

/** Seconds left until `until` (a timestamp in ms), ticking every second; 0 once passed; null before hydration. */
export function useSecondsLeft(until: number | null): number | null {
  const isClient = useIsClient();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  if (until === null || !isClient) return null;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "45 s", "12 min", "3 h 12 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
