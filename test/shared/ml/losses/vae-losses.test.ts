import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelOutputs } from '../../../../shared/ml/autoencoder-model.ts';
import { buildReconstructionLoss } from '../../../../shared/ml/losses/reconstruction-loss-registry.ts';
import { isStatefulLoss } from '../../../../shared/ml/losses/stateful-reconstruction-loss.ts';
import { useCpuBackend } from '../training/helpers/tf-cpu.ts';

beforeAll(useCpuBackend);

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

// Two 2×2 images: the first reconstructed with squared errors 1, 0, 1, 0.25; the second exactly.
const prediction = () => tf.tensor4d([0, 0.5, 1, 0.25, 0.3, 0.3, 0.3, 0.3], [2, 2, 2, 1]);
const target = () => tf.tensor4d([1, 0.5, 0, 0.75, 0.3, 0.3, 0.3, 0.3], [2, 2, 2, 1]);
// A 2-d latent per image; the second image's posterior is (mu 0, value 0).
const outputs = (mu: number[], zLogvar: number[], shape: number[]): ModelOutputs => ({
  xRec: prediction(),
  extras: { z_mu: tf.tensor([...mu, 0, 0], shape), z_logvar: tf.tensor([...zLogvar, 0, 0], shape) },
});
const evaluate = (loss: ReturnType<typeof buildReconstructionLoss>, out: ModelOutputs, training = true): number =>
  tf.tidy(() => loss(prediction(), target(), out, { training }).dataSync()[0]);

describe('vae_loss (official VAELoss, rec_log_std 0)', () => {
  const out = () => outputs([0.5, -1], [0.2, 1], [2, 1, 1, 2]);
  const nll = 0.5 * 2.25 + 4 * HALF_LOG_TWO_PI; // −log N(x_rec; x, 1) of the first image
  const nllExact = 4 * HALF_LOG_TWO_PI;

  it('reference: the KL reads z_logvar as log σ, so the VAE\'s std becomes σ = exp(std)', () => {
    const kl = 0.5 * (Math.exp(0.4) + 0.25 - 1) - 0.2 + (0.5 * (Math.exp(2) + 1 - 1) - 1);
    const klAtZero = 0.5 * (1 - 1); // value 0 means σ = 1: no KL
    const loss = buildReconstructionLoss({ name: 'vae_loss', params: { rec_log_std: 0 } }, { mode: 'reference' });
    expect(evaluate(loss, out())).toBeCloseTo((nll + kl + nllExact + klAtZero) / 2, 5);
  });

  it('corrected: the KL reads z_logvar as the std the VAE returns', () => {
    const kl = 0.5 * (0.04 + 0.25 - 1) - Math.log(0.2) + 0.5 * (1 + 1 - 1);
    const loss = buildReconstructionLoss({ name: 'vae_loss', params: {} }, { mode: 'corrected' });
    // The second image's std 0 is σ = 0: infinite KL, so give it std 1 here.
    const outputsWithUnitStd: ModelOutputs = { xRec: prediction(), extras: { z_mu: tf.tensor([0.5, -1, 0, 0], [2, 2]), z_logvar: tf.tensor([0.2, 1, 1, 1], [2, 2]) } };
    expect(evaluate(loss, outputsWithUnitStd)).toBeCloseTo((nll + kl + nllExact) / 2, 5);
    const explicit = buildReconstructionLoss({ name: 'vae_loss', params: { z_logvar_as: 'std' } }, { mode: 'reference' });
    expect(evaluate(explicit, outputsWithUnitStd)).toBeCloseTo((nll + kl + nllExact) / 2, 5);
  });

  it('rec_log_std sets the σ of the reconstruction likelihood', () => {
    const loss = buildReconstructionLoss({ name: 'vae_loss', params: { rec_log_std: Math.log(2) } });
    const perPixel = Math.log(2) + HALF_LOG_TWO_PI;
    const kl = 0.5 * (Math.exp(0.4) + 0.25 - 1) - 0.2 + (0.5 * Math.exp(2) - 1);
    expect(evaluate(loss, out())).toBeCloseTo((2.25 / 8 + 4 * perPixel + kl + 4 * perPixel) / 2, 5);
  });
});

describe('vae_hig_loss (official VAEHigLoss)', () => {
  const CXR = { beta: 4, gamma: 2, max_capacity: 50, loss_type: 'B' };
  const out = () => outputs([0.5, -1], [0.2, 1], [2, 2]);
  const mse = 2.25 / 8;
  // Batch mean of −½·Σ(1 + logvar − mu² − e^logvar); the second image contributes 0.
  const kld = (-0.5 * (1 + 0.2 - 0.25 - Math.exp(0.2) + (1 + 1 - 1 - Math.E))) / 2;

  it('type B: MSE + γ·0.008·|KL − C|, C = 50·n/1e5 counted from the first call', () => {
    const loss = buildReconstructionLoss({ name: 'vae_hig_loss', params: CXR });
    expect(evaluate(loss, out())).toBeCloseTo(mse + 2 * 0.008 * Math.abs(kld - 50 / 1e5), 6);
    expect(evaluate(loss, out())).toBeCloseTo(mse + 2 * 0.008 * Math.abs(kld - 100 / 1e5), 6);
  });

  it('type H: MSE + β·0.008·KL', () => {
    const loss = buildReconstructionLoss({ name: 'vae_hig_loss', params: { ...CXR, loss_type: 'H' } });
    expect(evaluate(loss, out())).toBeCloseTo(mse + 4 * 0.008 * kld, 6);
  });

  it('counts validation calls in reference mode only; the count survives state() → restore()', () => {
    const reference = buildReconstructionLoss({ name: 'vae_hig_loss', params: CXR }, { mode: 'reference' });
    const corrected = buildReconstructionLoss({ name: 'vae_hig_loss', params: CXR }, { mode: 'corrected' });
    if (!isStatefulLoss(reference) || !isStatefulLoss(corrected)) throw new Error('vae_hig_loss must be stateful');
    for (const loss of [reference, corrected]) {
      evaluate(loss, out(), true);
      evaluate(loss, out(), true);
      evaluate(loss, out(), false);
    }
    expect(reference.state()).toEqual({ calls: 3 });
    expect(corrected.state()).toEqual({ calls: 2 });

    const resumed = buildReconstructionLoss({ name: 'vae_hig_loss', params: CXR });
    if (!isStatefulLoss(resumed)) throw new Error('vae_hig_loss must be stateful');
    resumed.restore(JSON.parse(JSON.stringify({ calls: 2e5 })));
    // Past 1e5 calls the capacity stays at max_capacity.
    expect(evaluate(resumed, out())).toBeCloseTo(mse + 2 * 0.008 * Math.abs(kld - 50), 5);
    expect(() => resumed.restore({ calls: -1 })).toThrow(/vae_hig_loss: expected a saved state \{calls: a non-negative integer\}/);
    expect(() => resumed.restore(null)).toThrow(/vae_hig_loss: expected a saved state/);
  });

  it('l1 and vae_loss keep no state', () => {
    expect(isStatefulLoss(buildReconstructionLoss({ name: 'l1', params: {} }))).toBe(false);
    expect(isStatefulLoss(buildReconstructionLoss({ name: 'vae_loss', params: {} }))).toBe(false);
  });
});

describe('VAE losses refuse what they cannot use', () => {
  it('a model without z_mu / z_logvar', () => {
    const loss = buildReconstructionLoss({ name: 'vae_hig_loss', params: {} });
    expect(() => loss(prediction(), target(), { xRec: prediction(), extras: {} })).toThrow(
      /loss vae_hig_loss needs the model outputs z_mu and z_logvar .*returns \[\]/,
    );
  });

  it('unknown or wrong params, named under trainer.params.loss.params', () => {
    expect(() => buildReconstructionLoss({ name: 'vae_hig_loss', params: { gama: 2 } })).toThrow(
      /trainer\.params\.loss\.params\.gama: unknown parameter of loss vae_hig_loss/,
    );
    expect(() => buildReconstructionLoss({ name: 'vae_hig_loss', params: { loss_type: 'C' } })).toThrow(/trainer\.params\.loss\.params\.loss_type/);
    expect(() => buildReconstructionLoss({ name: 'vae_loss', params: { rec_log_std: 'zero' } })).toThrow(/trainer\.params\.loss\.params\.rec_log_std/);
  });
});
