/** CPU milliseconds (user + system) of this process since `from` (a process.cpuUsage() value). */
export const cpuMs = (from?: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};
