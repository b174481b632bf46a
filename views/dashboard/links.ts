/** A device path as a URL query value. */
export const diskHref = (device: string) => `/dashboard/disk?dev=${encodeURIComponent(device)}`;
