/** The parts of a V8 .cpuprofile (node --cpu-prof) that phase totals need. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

/** A phase and the functions whose time is its own: `functionName`, or `functionName@file` to pin the file (base name). */
export interface PhaseRule {
  phase: string;
  functions: string[];
}

export interface PhaseTotal {
  phase: string;
  milliseconds: number;
}

/**
 * Time per phase: each sample goes to the phase of the innermost function on its stack
 * that a rule names (so a PNG decoder called while loading counts as loading), else to
 * `otherPhase`. Phases come out in the rules' order, then `otherPhase`; empty ones too.
 */
export function phaseTotals(profile: CpuProfile, rules: readonly PhaseRule[], otherPhase: string): PhaseTotal[] {
  const phaseOf = new Map<string, string>();
  for (const rule of rules) for (const name of rule.functions) phaseOf.set(name, rule.phase);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nodePhase = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = nodePhase.get(id);
    if (known !== undefined) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    const file = url.slice(url.lastIndexOf('/') + 1);
    const parent = parentOf.get(id);
    const phase = phaseOf.get(`${functionName}@${file}`) ?? phaseOf.get(functionName) ?? (parent === undefined ? otherPhase : resolve(parent));
    nodePhase.set(id, phase);
    return phase;
  };
  const totals = new Map<string, number>([...rules.map((rule): [string, number] => [rule.phase, 0]), [otherPhase, 0]]);
  profile.samples.forEach((id, i) => {
    const phase = resolve(id);
    totals.set(phase, totals.get(phase)! + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([phase, milliseconds]) => ({ phase, milliseconds }));
}
