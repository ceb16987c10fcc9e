/**
 * Storage keys of the files in one folder: `root`, and `<root>/<file>` under the name each
 * file is given.
 */
export function folderKeys<const Files extends Record<string, string>>(root: string, files: Files): { readonly root: string } & { readonly [Name in keyof Files]: string } {
  const keys = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, `${root}/${file}`]));
  return { root, ...(keys as { [Name in keyof Files]: string }) };
}

/** The lease file of a folder and how messages name its holder's work (shared/storage/storage-lease.ts). */
export function folderLease(what: string, root: string): { readonly name: string; readonly key: string } {
  return { name: what, key: `${root}/lease.json` };
}
