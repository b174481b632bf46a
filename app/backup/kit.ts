/**
 * The emergency kit: everything a person needs to get their files back when the box is gone, on one printable
 * page (and a text download): the box's name, the target, the repository address and password, and the steps, for
 * a new box and for any computer with `restic`. The steps' commands are the ones `kit.test.ts` runs.
 */
import type { TargetKind } from "./restic";
import { KIND_NAMES } from "./targets";

export type KitStep = { text: string; command?: string };

export type Kit = {
  boxName: string;
  targetName: string;
  kind: TargetKind;
  kindName: string;
  /** Where the backup is, as a person reads it. */
  location: string;
  /** What restic opens: with another box's pairing token in it. */
  repository: string;
  password: string;
  /** Another box's certificate (restic --cacert). */
  certificate: string | null;
  /** S3's keys, as environment lines. */
  environment: string[];
  madeAt: Date;
  newBox: string[];
  computer: KitStep[];
};

/** A single-quoted shell word. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function buildKit(p: {
  boxName: string;
  targetName: string;
  kind: TargetKind;
  location: string;
  repository: string;
  password: string;
  certificate: string | null;
  environment: string[];
  madeAt: Date;
  exampleUser: string;
}): Kit {
  const cacert = p.certificate ? " --cacert nasd-host.pem" : "";
  const r = `restic -r ${quote(p.repository)}${cacert}`;
  const computer: KitStep[] = [
    { text: "Install restic: on Debian or Ubuntu “sudo apt install restic”, on a Mac “brew install restic”, on Windows download it from restic.net." },
  ];
  if (p.kind === "local")
    computer.push({ text: `Plug in the backup disk. The backup is the folder ${p.location}; if the disk shows up somewhere else, use that path below.` });
  if (p.kind === "sftp")
    computer.push({
      text: "restic logs in to the server with ssh: this computer must be allowed to (add its SSH key to the server's authorized_keys, or type the account's password when asked).",
    });
  if (p.certificate) computer.push({ text: "Save the certificate printed below as a file named nasd-host.pem in the folder you work in." });
  for (const line of p.environment) computer.push({ text: "Give restic the storage's keys:", command: `export ${line}` });
  computer.push(
    { text: "List the backups (restic asks for the password printed above):", command: `${r} snapshots` },
    { text: "Restore the latest one into a new folder nasd-restore:", command: `${r} restore latest --target nasd-restore` },
    {
      text: `Your files are in nasd-restore/files/<your user name>/, with their folders and names. To get back one file only, name it (here a file of ${p.exampleUser}):`,
      command: `${r} restore latest --target nasd-restore --include ${quote(`/files/${p.exampleUser}/Photos/example.jpg`)}`,
    },
  );
  return {
    ...p,
    kindName: KIND_NAMES[p.kind],
    newBox: [
      "Flash the nasd image to the new box's disk and start it (see its README: Flash and boot).",
      "Open its setup wizard and choose “Restore from a backup”.",
      `Choose “${KIND_NAMES[p.kind]}”, enter the location and the password from this kit${p.kind === "rest" ? " (or the pairing code the host's admin gives you)" : ""}, and start the restore.`,
      "When it is done the box restarts with its people, passkeys, files, albums, shares and settings. Give it the same host name as before, and your passkeys work again.",
    ],
    computer,
  };
}

/** The kit as plain text (the download). */
export function kitText(k: Kit): string {
  const lines = [
    `EMERGENCY KIT — backup of the box “${k.boxName}”`,
    `Made ${k.madeAt.toISOString().slice(0, 10)}. Keep it somewhere safe and away from the box: anyone with it can read the backup, and without the password nobody can — not even you.`,
    "",
    `Backup target:   ${k.targetName} (${k.kindName})`,
    `Location:        ${k.location}`,
    `Repository:      ${k.repository}`,
    `Password:        ${k.password}`,
    ...k.environment.map((e) => `Key:             ${e}`),
    "",
    "ON A NEW BOX",
    ...k.newBox.map((s, i) => `${i + 1}. ${s}`),
    "",
    "ON ANY COMPUTER, WITH RESTIC",
    ...k.computer.flatMap((s, i) => [`${i + 1}. ${s.text}`, ...(s.command ? [`     ${s.command}`] : [])]),
    ...(k.certificate ? ["", "CERTIFICATE (nasd-host.pem)", k.certificate.trim()] : []),
    "",
  ];
  return lines.join("\n");
}
