/**
 * Version strings compared as DRA drivers publish them: semver, numeric parts without leading
 * zeros, padded to three ("580.159.04" -> "580.159.4", "13.0" -> "13.0.0"). NVIDIA's DRA driver
 * publishes this form; nvidia-smi and feature-discovery labels print the other.
 */
export function semver(version: string): string {
  const parts = version.split('.').map((p) => String(Number(p)));
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}
