import { SeededRandom } from '../random/seeded-random.ts';

/**
 * Synthetic frontal (PA) chest-X-ray-like phantoms.
 *
 * Conventions, stated once:
 * - Geometry lives in normalised image coordinates: x from 0 (image left, the subject's
 *   right) to 1, y from 0 (top) to 1, pixel centres at ((j + 0.5) / w, (i + 0.5) / h).
 *   Every shape parameter is drawn in these units, so one subject renders at any size
 *   and looks the same; only the pixel noise depends on the size.
 * - Intensity follows X-ray attenuation: each structure adds (or, for air, removes)
 *   density D, and the pixel is 1 − exp(−gain · D). Adding a pathology only adds
 *   density, so the pathological image is never darker than the healthy one.
 * - Every random choice comes from streams forked off `SeededRandom(seed)` by the
 *   subject index: anatomy, pixel noise and each pathology have their own stream, so a
 *   subject's healthy anatomy and noise are the same with or without a pathology, and
 *   an image does not depend on which other images were rendered before it.
 */

export type PhantomPathology = 'opacity' | 'nodule' | 'effusion';

export const PHANTOM_PATHOLOGIES: readonly PhantomPathology[] = ['opacity', 'nodule', 'effusion'];

export interface PhantomOptions {
  /** Seed of the whole phantom population. */
  seed: number;
  /** Subject number inside the population; a non-negative integer. */
  index: number;
  /** Output [height, width] in pixels. */
  size: readonly [number, number];
  /** Pathology to add to the subject; default null (healthy). */
  pathology?: PhantomPathology | null;
}

export interface Phantom {
  /** height × width values in [0, 1], row-major. */
  image: Float32Array;
  /** height × width values, 1 inside the pathology and 0 elsewhere (all 0 when healthy). */
  mask: Float32Array;
}

interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Cosine and sine of the rotation; a positive angle turns +x towards +y. */
  cos: number;
  sin: number;
}

function ellipse(cx: number, cy: number, rx: number, ry: number, tilt: number): Ellipse {
  return { cx, cy, rx, ry, cos: Math.cos(tilt), sin: Math.sin(tilt) };
}

interface Lung extends Ellipse {
  /** −1: image-left lung (the subject's right, the larger one); +1: image-right lung. */
  side: number;
  /** Narrowing of the apex: the half-width at the top is (1 − taper) of that at the base. */
  taper: number;
  /** 0: an ellipse; towards 1: the boxier superellipse of exponent 4. */
  squareness: number;
  /** The hemidiaphragm under this lung: a parabola from domeBase (sides) up to domeTop. */
  domeTop: number;
  domeBase: number;
  domeCx: number;
  domeHalfWidth: number;
}

interface Wave {
  fx: number;
  fy: number;
  phase: number;
  amplitude: number;
}

interface Anatomy {
  /** Patient position: shift, rotation and scale of the whole chest. */
  shiftX: number;
  shiftY: number;
  rotation: number;
  scale: number;
  midline: number;
  neckHalfWidth: number;
  bodyHalfWidth: number;
  shoulderY: number;
  lungs: [Lung, Lung];
  airDensity: number;
  mediastinumHalfWidth: number;
  heart: Ellipse;
  aorta: { cx: number; cy: number; r: number };
  gasBubble: Ellipse | null;
  tracheaEnd: number;
  ribFirstY: number;
  ribSpacing: number;
  ribThickness: number;
  ribRise: number;
  ribCurve: number;
  ribCount: number;
  clavicleY: number;
  clavicleRise: number;
  clavicleCurve: number;
  hilumY: number;
  lungTexture: Wave[];
  field: Wave[];
  gain: number;
  noiseStd: number;
}

/** Renders one subject; the same options always give the same bytes. */
export function renderPhantom(options: PhantomOptions): Phantom {
  const { seed, index, size } = options;
  const pathology = options.pathology ?? null;
  if (!Number.isFinite(seed)) throw new Error(`renderPhantom: seed must be a finite number, got ${seed}`);
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new Error(`renderPhantom: index must be a non-negative integer, got ${index}`);
  }
  const [height, width] = size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(`renderPhantom: size must be two positive integers [height, width], got [${size.join(', ')}]`);
  }
  if (pathology !== null && !PHANTOM_PATHOLOGIES.includes(pathology)) {
    throw new Error(`renderPhantom: unknown pathology '${pathology}'; known: ${PHANTOM_PATHOLOGIES.join(', ')}`);
  }

  const subject = new SeededRandom(seed).fork(`subject:${index}`);
  const anatomy = sampleAnatomy(subject.fork('anatomy'));
  const lesion = pathology === null ? null : LESION_SAMPLERS[pathology](subject.fork(`pathology:${pathology}`), anatomy);
  const noise = subject.fork(`noise:${height}x${width}`);

  const image = new Float32Array(height * width);
  const mask = new Float32Array(height * width);
  const pixel = 1 / (Math.min(height, width) * anatomy.scale);
  const cosR = Math.cos(anatomy.rotation);
  const sinR = Math.sin(anatomy.rotation);
  const sample = newPixelSample();

  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      // Image point -> body coordinates (undo the patient's position).
      const px = (j + 0.5) / width - 0.5;
      const py = (i + 0.5) / height - 0.5;
      const x = (cosR * px + sinR * py) / anatomy.scale + 0.5 - anatomy.shiftX;
      const y = (-sinR * px + cosR * py) / anatomy.scale + 0.5 - anatomy.shiftY;

      anatomyDensity(anatomy, x, y, pixel, sample);
      let density = sample.density;
      if (lesion !== null) {
        lesion(x, y, pixel, sample);
        density += sample.lesionDensity;
        mask[i * width + j] = sample.inLesion ? 1 : 0;
      }
      const shade = 1 + waves(anatomy.field, x, y);
      const value = 1 - Math.exp(-anatomy.gain * density * shade) + 0.02 + anatomy.noiseStd * noise.normal();
      image[i * width + j] = value < 0 ? 0 : value > 1 ? 1 : value;
    }
  }
  return { image, mask };
}

/** What one pixel's evaluation produces; reused across pixels so the loop allocates nothing. */
interface PixelSample {
  density: number;
  /** How much of the pixel is lung, image-left lung then image-right lung. */
  lungCoverage: [number, number];
  lesionDensity: number;
  inLesion: boolean;
}

function newPixelSample(): PixelSample {
  return { density: 0, lungCoverage: [0, 0], lesionDensity: 0, inLesion: false };
}

function sampleAnatomy(r: SeededRandom): Anatomy {
  const midline = 0.5 + r.uniform(-0.015, 0.015);
  const lungs = [-1, 1].map((side) => sampleLung(r, midline, side)) as [Lung, Lung];
  const waveSet = (count: number, fLow: number, fHigh: number, amplitude: number): Wave[] =>
    Array.from({ length: count }, () => {
      const angle = r.uniform(0, Math.PI * 2);
      const f = r.uniform(fLow, fHigh);
      return {
        fx: f * Math.cos(angle) * Math.PI * 2,
        fy: f * Math.sin(angle) * Math.PI * 2,
        phase: r.uniform(0, Math.PI * 2),
        amplitude: amplitude * r.uniform(0.5, 1),
      };
    });
  return {
    shiftX: r.uniform(-0.03, 0.03),
    shiftY: r.uniform(-0.03, 0.03),
    rotation: r.uniform(-0.04, 0.04),
    scale: r.uniform(0.93, 1.06),
    midline,
    neckHalfWidth: r.uniform(0.1, 0.14),
    bodyHalfWidth: r.uniform(0.45, 0.5),
    shoulderY: r.uniform(0.02, 0.08),
    lungs,
    airDensity: r.uniform(0.34, 0.42),
    mediastinumHalfWidth: r.uniform(0.06, 0.075),
    heart: ellipse(
      midline + r.uniform(0.05, 0.09),
      r.uniform(0.63, 0.68),
      r.uniform(0.15, 0.19),
      r.uniform(0.11, 0.14),
      r.uniform(0.3, 0.5),
    ),
    aorta: { cx: midline + r.uniform(0.04, 0.06), cy: r.uniform(0.3, 0.35), r: r.uniform(0.03, 0.042) },
    gasBubble:
      r.nextFloat() < 0.6
        ? ellipse(
            lungs[1].domeCx + r.uniform(-0.02, 0.05),
            lungs[1].domeTop + r.uniform(0.05, 0.08),
            r.uniform(0.03, 0.06),
            r.uniform(0.02, 0.035),
            0,
          )
        : null,
    tracheaEnd: r.uniform(0.3, 0.36),
    ribFirstY: r.uniform(0.1, 0.14),
    ribSpacing: r.uniform(0.058, 0.07),
    ribThickness: r.uniform(0.011, 0.015),
    ribRise: r.uniform(0.35, 0.5),
    ribCurve: r.uniform(1.6, 2.1),
    ribCount: 10,
    clavicleY: r.uniform(0.14, 0.18),
    clavicleRise: r.uniform(0.3, 0.45),
    clavicleCurve: r.uniform(0.15, 0.35),
    hilumY: r.uniform(0.4, 0.46),
    lungTexture: waveSet(4, 5, 12, 0.05),
    field: waveSet(3, 0.4, 1.2, 0.06),
    gain: r.uniform(1.3, 1.6),
    noiseStd: r.uniform(0.006, 0.016),
  };
}

function sampleLung(r: SeededRandom, midline: number, side: number): Lung {
  const rx = r.uniform(0.16, 0.19);
  const ry = r.uniform(0.36, 0.42);
  const cx = midline + side * (rx + r.uniform(0.045, 0.065));
  const cy = r.uniform(0.52, 0.57);
  const domeBase = cy + ry * r.uniform(0.35, 0.5) + (side > 0 ? 0.015 : 0);
  return {
    ...ellipse(cx, cy, rx, ry, side * r.uniform(-0.02, 0.1)),
    side,
    taper: r.uniform(0.35, 0.55),
    squareness: r.uniform(0, 0.6),
    domeBase,
    domeTop: domeBase - r.uniform(0.06, 0.1),
    domeCx: cx + side * r.uniform(-0.02, 0.03),
    domeHalfWidth: rx * r.uniform(1.0, 1.3),
  };
}

/** Coverage of a pixel by a shape, from a signed distance (negative inside) and a half-width of the soft edge. */
function coverage(distance: number, soft: number): number {
  if (distance <= -soft) return 1;
  if (distance >= soft) return 0;
  const t = 0.5 - distance / (2 * soft);
  return t * t * (3 - 2 * t);
}

/** Approximate signed distance to a rotated ellipse, good enough near its border. */
function ellipseDistance(e: Ellipse, x: number, y: number): number {
  const dx = x - e.cx;
  const dy = y - e.cy;
  const u = (e.cos * dx + e.sin * dy) / e.rx;
  const v = (-e.sin * dx + e.cos * dy) / e.ry;
  return (Math.sqrt(u * u + v * v) - 1) * Math.min(e.rx, e.ry);
}

/** Normalised radius inside the lung's tapered, squared-off ellipse (1 on its border). */
function lungRadius(lung: Lung, x: number, y: number): number {
  const dx = x - lung.cx;
  const dy = y - lung.cy;
  const v = (-lung.sin * dx + lung.cos * dy) / lung.ry;
  const vc = v < -1 ? -1 : v > 1 ? 1 : v;
  const u = (lung.cos * dx + lung.sin * dy) / (lung.rx * (1 - (lung.taper * (1 - vc)) / 2));
  const au = Math.abs(u);
  const av = Math.abs(v);
  // Far outside: the exact value does not matter, only that it is well above 1.
  if (au > 1.5 || av > 1.5) return au > av ? au : av;
  const round = Math.sqrt(au * au + av * av);
  const boxy = Math.sqrt(Math.sqrt(au * au * au * au + av * av * av * av));
  return round + lung.squareness * (boxy - round);
}

/** The hemidiaphragm: falls to domeBase at the costophrenic angle, stays high towards the heart. */
function domeY(lung: Lung, x: number): number {
  const t = (lung.side * (x - lung.domeCx)) / lung.domeHalfWidth;
  const fall = t > 0 ? Math.min(1, t * t) : 0.3 * Math.min(1, t * t);
  return lung.domeTop + (lung.domeBase - lung.domeTop) * fall;
}

function waves(list: readonly Wave[], x: number, y: number): number {
  let sum = 0;
  for (const w of list) sum += w.amplitude * Math.cos(w.fx * x + w.fy * y + w.phase);
  return sum;
}

function anatomyDensity(a: Anatomy, x: number, y: number, pixel: number, out: PixelSample): void {
  const edge = Math.max(0.5 * pixel, 0.004);
  const lateral = x - a.midline;
  const offset = Math.abs(lateral);

  // Soft tissue: thickest at the midline, thin at the body outline (the soft-tissue border).
  const halfWidth =
    a.neckHalfWidth + (a.bodyHalfWidth - a.neckHalfWidth) * smoothstep(a.shoulderY - 0.1, a.shoulderY + 0.15, y);
  const body = coverage(Math.abs(x - 0.5) - halfWidth, Math.max(edge, 0.008));
  const across = Math.min(1, Math.abs(x - 0.5) / halfWidth);
  let density = body * 0.6 * (0.55 + 0.45 * Math.sqrt(1 - across * across));

  const mediastinum = coverage(offset - a.mediastinumHalfWidth * (0.8 + 0.5 * y), 0.012);
  const heart = coverage(ellipseDistance(a.heart, x, y), 0.012);
  const organs = Math.max(mediastinum, heart);
  density += 0.12 * coverage(distance2d(x - a.aorta.cx, y - a.aorta.cy) - a.aorta.r, 0.008);

  // Lungs: air removes density; vessels make the hila and medial fields brighter.
  const side = lateral < 0 ? 0 : 1;
  for (let k = 0; k < 2; k++) {
    const lung = a.lungs[k];
    const radius = lungRadius(lung, x, y);
    const inside =
      coverage((radius - 1) * lung.rx, Math.max(edge, 0.006)) * coverage(y - domeY(lung, x), edge) * (1 - organs);
    out.lungCoverage[k] = inside;
    if (inside <= 0) continue;
    const depth = 0.8 + 0.2 * (1 - Math.min(1, radius * radius));
    const toHilum = distance2d(x - a.midline - (k === 0 ? -0.1 : 0.1), y - a.hilumY);
    const vessels = 0.12 * Math.exp(-(toHilum * toHilum) / 0.006) + 0.06 * Math.max(0, 1 - offset / 0.38);
    const texture = 0.5 * waves(a.lungTexture, x, y) * (0.5 + Math.max(0, 1 - offset / 0.4));
    density += inside * (vessels + texture - a.airDensity * depth);
  }

  // Below the hemidiaphragm of this side: abdomen, with the stomach bubble on the image right.
  const diaphragm = a.lungs[side];
  const abdomen = coverage(domeY(diaphragm, x) - y, edge);
  density += Math.max(0.36 * organs, 0.3 * body * abdomen);
  if (a.gasBubble !== null) density -= 0.2 * coverage(ellipseDistance(a.gasBubble, x, y), 0.01);

  density -= 0.22 * coverage(offset - 0.016, edge) * smoothstep(a.tracheaEnd, a.tracheaEnd - 0.05, y);
  const vertebra = 0.85 + 0.15 * Math.cos((y * Math.PI * 2) / 0.055);
  density += 0.08 * vertebra * coverage(offset - 0.035, edge) * body;

  // Posterior ribs: arcs rising from the spine and falling to the lateral chest wall.
  const ribReach = Math.abs(diaphragm.cx - a.midline) + diaphragm.rx + 0.04;
  const ribFade = smoothstep(0.02, 0.06, offset) * smoothstep(ribReach, ribReach - 0.05, offset) * body;
  if (ribFade > 0) {
    const arc = -a.ribRise * offset + a.ribCurve * offset * offset;
    const slope = -a.ribRise + 2 * a.ribCurve * offset;
    let ribs = 0;
    for (let k = 0; k < a.ribCount; k++) {
      const bend = 1.25 - 0.05 * k;
      const gap = Math.abs(y - (a.ribFirstY + k * a.ribSpacing * (1 + 0.035 * k) + arc * bend));
      const half = a.ribThickness * (0.8 + 0.05 * k);
      if (gap > 2 * half * Math.abs(slope * bend) + 3 * half) continue;
      const distance = gap / Math.sqrt(1 + slope * slope * bend * bend) - half;
      if (distance < half) ribs = Math.max(ribs, coverage(distance, Math.max(edge, 0.004)));
    }
    density += 0.1 * ribs * ribFade * (1 - 0.7 * abdomen);
  }

  // Clavicles: from the sternal notch rising towards the shoulders.
  if (offset > 0.025 && offset < 0.34) {
    const centre = a.clavicleY - a.clavicleRise * offset + a.clavicleCurve * offset * offset;
    const distance = Math.abs(y - centre) - 0.014;
    density += 0.16 * coverage(distance, Math.max(edge, 0.004)) * smoothstep(0.025, 0.045, offset) * smoothstep(0.34, 0.3, offset);
  }

  out.density = density > 0 ? density : 0;
}

/** Math.hypot is several times slower in V8 and this runs per pixel. */
function distance2d(dx: number, dy: number): number {
  return Math.sqrt(dx * dx + dy * dy);
}

function smoothstep(from: number, to: number, value: number): number {
  const t = Math.min(1, Math.max(0, (value - from) / (to - from)));
  return t * t * (3 - 2 * t);
}

/**
 * A pathology, evaluated per pixel after the anatomy (which it reads from `sample`): sets
 * the density it adds and whether the pixel is in its mask.
 */
type Lesion = (x: number, y: number, pixel: number, sample: PixelSample) => void;

/** A point well inside lung `side`, away from the heart and the diaphragm. */
function pointInLung(r: SeededRandom, a: Anatomy, side: number, reach: number): [number, number] {
  const lung = a.lungs[side];
  const probe = newPixelSample();
  const margin = 0.04;
  const isLung = (x: number, y: number): boolean => {
    anatomyDensity(a, x, y, 0.01, probe);
    return probe.lungCoverage[side] > 0.99;
  };
  for (let attempt = 0; attempt < 64; attempt++) {
    const x = lung.cx + r.uniform(-reach, reach) * lung.rx;
    const y = lung.cy + r.uniform(-reach, reach) * lung.ry;
    if (isLung(x - margin, y) && isLung(x + margin, y) && isLung(x, y - margin) && isLung(x, y + margin)) return [x, y];
  }
  // The upper-middle lung field is lung in every subject.
  return [lung.cx, lung.cy - 0.4 * lung.ry];
}

const LESION_SAMPLERS: Record<PhantomPathology, (random: SeededRandom, anatomy: Anatomy) => Lesion> = {
  opacity: (r, a) => {
    const side = r.nextInt(2);
    const [cx, cy] = pointInLung(r, a, side, 0.6);
    const blobs = Array.from({ length: 3 }, () => ({
      x: cx + r.uniform(-0.04, 0.04),
      y: cy + r.uniform(-0.05, 0.05),
      s2: r.uniform(0.04, 0.08) ** 2,
    }));
    const strength = r.uniform(0.35, 0.5);
    const mottle = [r.uniform(25, 45), r.uniform(25, 45), r.uniform(0, 6.3)];
    return (x, y, _pixel, sample) => {
      let field = 0;
      for (const b of blobs) {
        const d2 = (x - b.x) ** 2 + (y - b.y) ** 2;
        field = Math.max(field, Math.exp(-d2 / (2 * b.s2)));
      }
      const extent = field * sample.lungCoverage[side];
      const texture = 0.85 + 0.15 * Math.cos(mottle[0] * x + mottle[1] * y + mottle[2]);
      sample.lesionDensity = strength * extent * texture;
      sample.inLesion = extent >= 0.4;
    };
  },
  nodule: (r, a) => {
    const side = r.nextInt(2);
    const [cx, cy] = pointInLung(r, a, side, 0.55);
    const radius = r.uniform(0.028, 0.05);
    const strength = r.uniform(0.4, 0.55);
    return (x, y, pixel, sample) => {
      const d = distance2d(x - cx, y - cy);
      const cover = coverage(d - radius, Math.max(0.5 * pixel, 0.003));
      const dome = Math.sqrt(Math.max(0, 1 - (d / radius) ** 2));
      sample.lesionDensity = strength * cover * (0.6 + 0.4 * dome);
      sample.inLesion = cover >= 0.5;
    };
  },
  effusion: (r, a) => {
    const side = r.nextInt(2);
    const lung = a.lungs[side];
    const level = lung.domeBase - r.uniform(0.08, 0.2);
    const meniscus = r.uniform(0.04, 0.09);
    const lateralSign = side === 0 ? -1 : 1;
    // Dense enough to hide the hemidiaphragm under it, as real fluid does.
    const strength = a.airDensity * r.uniform(0.9, 1.05) + 0.12;
    return (x, y, _pixel, sample) => {
      const across = Math.min(1, Math.max(0, 0.5 + (lateralSign * (x - lung.cx)) / (2 * lung.rx)));
      const surface = level - meniscus * across * across;
      const fluid = sample.lungCoverage[side] * smoothstep(surface - 0.02, surface + 0.02, y);
      sample.lesionDensity = strength * fluid;
      sample.inLesion = fluid >= 0.5;
    };
  },
};
