/**
 * Business minutes as the agent's pages print them, "4 h 00": whole minutes first, then hours,
 * so that 239.6 minutes read "4 h 00" and 59.6 read "1 h 00", never "3 h 60" or "0 h 60".
 */
export function businessHours(m: number): string {
  const minutes = Math.max(0, Math.round(m));
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}
