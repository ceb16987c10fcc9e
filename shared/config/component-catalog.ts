/**
 * The names a config may use for each kind of component, and the official
 * `module_name` + `class_name` pairs (github ci-ber/MorphAEus) that mean the same
 * thing. Names only: a config never names code to import; the worker maps a name to
 * its implementation through its own registries.
 */

/** Which registry a component belongs to. */
export type ComponentKind = 'model' | 'trainer' | 'loss' | 'dataset' | 'datasetModule' | 'evaluator' | 'transform';

/** A Python class of the official code: `importlib.import_module(moduleName).className`. */
export interface OfficialClass {
  moduleName: string;
  className: string;
}

export interface CatalogEntry {
  /** The registry name a config writes as `name:` and the canonical config carries. */
  name: string;
  /** Official classes that map onto this name; empty for our own components. */
  official: readonly OfficialClass[];
  /** One line for listings and error messages. */
  summary: string;
}

const official = (moduleName: string, className: string): OfficialClass => ({ moduleName, className });

export const COMPONENT_CATALOG: Readonly<Record<ComponentKind, readonly CatalogEntry[]>> = {
  model: [
    {
      name: 'conv_autoencoder',
      official: [official('model_zoo.convolutional_autoencoders', 'ConvAutoEncoder')],
      summary: 'spatial convolutional AE (AE-S, MorphAEus-woPLM baseline, AE-x)',
    },
    {
      name: 'dense_conv_autoencoder',
      official: [official('model_zoo.convolutional_autoencoders', 'DenseConvAutoEncoderBaur')],
      summary: 'convolutional AE with a dense bottleneck (AE-D)',
    },
    { name: 'morphaeus', official: [official('model_zoo.morphaeus', 'MorphAEus')], summary: 'deformable AE (MorphAEus)' },
    { name: 'vae', official: [official('model_zoo.vae_hahn', 'VAE')], summary: 'VAE (Zimmerer/Hahn)' },
    { name: 'beta_vae', official: [official('model_zoo.beta_vae_higgings', 'BetaVAE_H')], summary: 'beta-VAE (Higgins/Burgess)' },
    { name: 'aae', official: [official('model_zoo.aae_pidhorskyi', 'AAE')], summary: 'adversarial AE (Pidhorskyi GPND)' },
    { name: 'dae_unet', official: [official('model_zoo.dae_kascenas', 'UNet')], summary: 'denoising U-Net AE (Kascenas)' },
    {
      name: 'soft_intro_vae',
      official: [official('model_zoo.soft_intro_vae_daniel', 'SoftIntroVAE')],
      summary: 'Soft-IntroVAE (Daniel and Tamar)',
    },
    {
      name: 'synthetic_objective',
      official: [],
      summary: 'test model: its `synthetic` trainer reports a known function of the hyperparameters (sweep tests)',
    },
  ],
  trainer: [
    {
      name: 'reconstruction',
      official: [official('projects.23_morphaeus.Trainer', 'PTrainer')],
      summary: 'reconstruction-loss trainer (AE-S, AE-D, VAE, beta-VAE, DAE, baseline)',
    },
    { name: 'morph', official: [official('projects.23_morphaeus.MorphTrainer', 'PTrainer')], summary: 'MorphAEus trainer' },
    { name: 'aae', official: [official('projects.23_morphaeus.AAETrainer', 'PTrainer')], summary: 'adversarial AE trainer' },
    { name: 'sivae', official: [official('projects.23_morphaeus.SIVAETrainer', 'PTrainer')], summary: 'Soft-IntroVAE trainer' },
    { name: 'synthetic', official: [], summary: 'test trainer of synthetic_objective: reports val.objective, trains nothing' },
  ],
  loss: [
    { name: 'l1', official: [official('optim.losses.ln_losses', 'L1')], summary: 'mean absolute error' },
    { name: 'l2', official: [official('optim.losses.ln_losses', 'L2')], summary: 'mean squared error' },
    { name: 'vae_loss', official: [official('model_zoo.vae_hahn', 'VAELoss')], summary: 'VAE loss (Hahn): Gaussian NLL + KL' },
    {
      name: 'vae_hig_loss',
      official: [official('model_zoo.beta_vae_higgings', 'VAEHigLoss')],
      summary: 'beta-VAE loss (Higgins/Burgess, types H and B)',
    },
  ],
  dataset: [
    {
      name: 'csv',
      official: [official('core.DataLoader', 'DefaultDataLoader')],
      summary: 'split CSVs (`filename` column) of image paths',
    },
    { name: 'phantoms', official: [], summary: 'synthetic chest-X-ray phantoms generated from a seed' },
    { name: 'idx', official: [], summary: 'IDX files (MNIST-style) with a class filter' },
    { name: 'celeba', official: [official('data.loaders.celeba_loader', 'CelebA')], summary: 'CelebA (official teaser/cor configs)' },
    {
      name: 'cifar10',
      official: [official('data.loaders.cifar10_loader', 'Cifar10Loader')],
      summary: 'CIFAR-10 filtered by class (official teaser configs)',
    },
  ],
  datasetModule: [
    {
      name: 'default',
      official: [official('core.DataLoader', 'DefaultDataset')],
      summary: 'tensor bilinear resize without antialias (training path)',
    },
    {
      name: 'cxr',
      // The official configs write `data.cxr_loader`; the module lives at `data.loaders.cxr_loader`.
      official: [official('data.loaders.cxr_loader', 'CXRDataset'), official('data.cxr_loader', 'CXRDataset')],
      summary: 'uint8 round trip + antialiased bilinear resize (downstream path)',
    },
    {
      name: 'mednist',
      official: [official('data.loaders.mednist_loader', 'MedNISTDataset'), official('data.mednist_loader', 'MedNISTDataset')],
      summary: 'MedNIST JPEGs, label from the path',
    },
  ],
  evaluator: [
    {
      name: 'anomaly_detection',
      official: [official('projects.23_morphaeus.DownstreamEvaluator', 'PDownstreamEvaluator')],
      summary: 'per-image mean residual scores; AUROC, AUPRC, FPR@95/99 per task',
    },
  ],
  transform: [
    {
      name: 'gaussian_noise',
      official: [official('transforms.gaussian_noise', 'GaussianNoise')],
      summary: 'coarse Gaussian noise added to the input (DAE)',
    },
  ],
};

const KIND_LABEL: Record<ComponentKind, string> = {
  model: 'model',
  trainer: 'trainer',
  loss: 'loss',
  dataset: 'dataset',
  datasetModule: 'dataset module',
  evaluator: 'evaluator',
  transform: 'transform',
};

/** A component as written in a config: `{name}` (ours) or `{module_name, class_name}` (official). */
export interface WrittenComponent {
  name?: string | undefined;
  module_name?: string | undefined;
  class_name?: string | undefined;
}

export type ComponentLookup =
  | { ok: true; name: string }
  /** `key` is the written key the problem is on (`''`: the component itself). */
  | { ok: false; key: 'name' | 'module_name' | 'class_name' | ''; message: string };

/** The registry names of one kind, in catalog order. */
export function knownComponentNames(kind: ComponentKind): string[] {
  return COMPONENT_CATALOG[kind].map((entry) => entry.name);
}

/**
 * Maps a written component onto its registry name. When both forms are written they
 * must agree. An unknown one gets a message that lists every known name and official pair.
 */
export function lookupComponent(kind: ComponentKind, written: WrittenComponent): ComponentLookup {
  const entries = COMPONENT_CATALOG[kind];
  const label = KIND_LABEL[kind];
  const hasOfficial = written.module_name !== undefined || written.class_name !== undefined;
  let fromOfficial: string | undefined;
  if (hasOfficial) {
    if (written.module_name === undefined || written.class_name === undefined) {
      const missing = written.module_name === undefined ? 'module_name' : 'class_name';
      return { ok: false, key: '', message: `${missing} is missing: an official ${label} is named by module_name and class_name together` };
    }
    const entry = entries.find((candidate) =>
      candidate.official.some((pair) => pair.moduleName === written.module_name && pair.className === written.class_name),
    );
    if (entry === undefined) {
      return {
        ok: false,
        key: 'class_name',
        message: `unknown ${label} ${written.module_name}.${written.class_name}; ${knownList(kind)}`,
      };
    }
    fromOfficial = entry.name;
  }
  if (written.name !== undefined) {
    if (!entries.some((entry) => entry.name === written.name)) {
      return { ok: false, key: 'name', message: `unknown ${label} "${written.name}"; ${knownList(kind)}` };
    }
    if (fromOfficial !== undefined && fromOfficial !== written.name) {
      return {
        ok: false,
        key: 'name',
        message: `name "${written.name}" contradicts ${written.module_name}.${written.class_name}, which is "${fromOfficial}"; write one of the two`,
      };
    }
    return { ok: true, name: written.name };
  }
  if (fromOfficial !== undefined) return { ok: true, name: fromOfficial };
  return { ok: false, key: '', message: `no ${label} named: write \`name:\` or \`module_name:\` + \`class_name:\`; ${knownList(kind)}` };
}

function knownList(kind: ComponentKind): string {
  const entries = COMPONENT_CATALOG[kind];
  const names = entries.map((entry) => entry.name).join(', ');
  const pairs = entries.flatMap((entry) =>
    entry.official.map((pair) => `${pair.moduleName}.${pair.className} (= ${entry.name})`),
  );
  return pairs.length === 0 ? `known: ${names}` : `known: ${names}; official: ${pairs.join(', ')}`;
}
