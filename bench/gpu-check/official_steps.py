"""The PyTorch half of bench/gpu-check.sh: the same training steps as webgpu-check.mjs, on
the official MorphAEus code (a checkout of github.com/ci-ber/MorphAEus, passed as the first
argument), for the images/s ratio. One JSON line per (model, batch).

The step is the official one without the perceptual loss (alfa 0, as on the Node side):
MorphTrainer's L_Rec + delta * (NCC + beta * gradient-l2) past epoch 10 for MorphAEus, and
Trainer's L2 reconstruction loss for the baseline AE, each with Adam. The official
trainers themselves are not imported: they log to wandb and read a missing NCC2 module.

Usage: official_steps.py <official checkout> <steps> <batch,batch...> [size] [cpu|cuda]
"""
import json
import sys
import time
import types

import torch


def import_official(checkout):
    sys.path.insert(0, checkout)
    # image_losses imports skimage for its SSIM helpers, which the steps do not use.
    try:
        import skimage  # noqa: F401
    except ImportError:
        sys.modules['skimage'] = types.SimpleNamespace(color=None)
    from model_zoo.convolutional_autoencoders import ConvAutoEncoder
    from model_zoo.morphaeus import MorphAEus
    from optim.losses.image_losses import NCC, DisplacementRegularizer2D
    from optim.losses.ln_losses import L2
    return ConvAutoEncoder, MorphAEus, NCC, DisplacementRegularizer2D, L2


class _StaysOnHost(torch.Tensor):
    """The official NCC moves its window filter with .to("cuda"); on a CPU dry run it stays."""

    def to(self, *args, **kwargs):
        return self.as_subclass(torch.Tensor)


def ncc_on(device, ncc):
    if device.type == 'cuda':
        return ncc

    def on_host(a, b):
        ones = torch.ones
        torch.ones = lambda *shape, **options: ones(*shape, **options).as_subclass(_StaysOnHost)
        try:
            return ncc(a, b).as_subclass(torch.Tensor)
        finally:
            torch.ones = ones
    return on_host


def official_params(size):
    """The official CXR configs' model params at 128x128, with as many levels fewer as size is smaller."""
    levels = 7 - (128 // size).bit_length() + 1
    common = dict(in_channels=1, channels=[16, 32, 64, 128, 256, 256, 256][:levels], strides=[2] * levels,
                  out_ch=1, kernel_size=3, norm='batch', act='swish', deconv_mode='stride')
    return common, dict(common, inshape=(size, size), bidir=True, nr_ref_channels=3)


def step_function(name, model, losses, device):
    ConvAutoEncoder, MorphAEus, NCC, DisplacementRegularizer2D, L2 = losses
    rec = L2()
    if name == 'baseline':
        return lambda x: rec(model(x)[0], x)
    ncc, reg = ncc_on(device, NCC()), DisplacementRegularizer2D('gradient-l2')
    beta, delta = 3.0, 1.0

    def morph_loss(x):
        reconstruction, result = model(x, registration=False)
        prior, reversed_img = result['x_prior'], result['x_reversed']
        l_rec = rec(prior, x, result)
        deform = ncc(x, reconstruction) if torch.equal(reconstruction, reversed_img) \
            else (ncc(x, reconstruction) + ncc(prior, reversed_img)) / 2
        return l_rec + delta * (deform + beta * reg(result['deformation']))
    return morph_loss


def time_case(name, official, size, batch, steps, device):
    ConvAutoEncoder, MorphAEus = official[0], official[1]
    ae_params, morph_params = official_params(size)
    model = (ConvAutoEncoder(**ae_params) if name == 'baseline' else MorphAEus(**morph_params)).to(device)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    loss_of = step_function(name, model, official, device)
    x = torch.rand(batch, 1, size, size, device=device)

    def step():
        optimizer.zero_grad()
        loss = loss_of(x)
        loss.backward()
        optimizer.step()
        return loss.item()  # .item() waits for the device, like the Node side's read of the loss

    for _ in range(2):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        loss = step()
    seconds = time.perf_counter() - started
    memory = torch.cuda.max_memory_allocated() / 2**20 if device.type == 'cuda' else None
    print(json.dumps({'kind': 'pytorch', 'model': name, 'size': size, 'batch': batch, 'steps': steps,
                      'seconds': round(seconds, 3), 'images_per_s': round(steps * batch / seconds, 2),
                      'last_loss': loss, 'device': str(device), 'torch': torch.__version__,
                      'max_memory_allocated_mib': memory}), flush=True)


def main():
    checkout, steps, batches = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3].split(',')]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 128
    wanted = sys.argv[5] if len(sys.argv) > 5 else ('cuda' if torch.cuda.is_available() else 'cpu')
    device = torch.device(wanted)
    official = import_official(checkout)
    for name in ['morphaeus', 'baseline']:
        for batch in batches:
            time_case(name, official, size, batch, steps, device)


if __name__ == '__main__':
    main()
