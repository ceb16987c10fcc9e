"""The official model's anomaly scores for a few PNGs, with random weights, for bench/anomaly-score-vs-pytorch.ts.

Builds the model of an official config (random weights from --seed), writes its
state_dict as safetensors (for `aelab import-weights`) and --images 8-bit PNGs of
--size x --size, and prints one JSON line: per image, the score as the official
DownstreamEvaluator computes it (np.mean of the float32 |x_rec - x|) and the same mean
summed in float64.
"""
import argparse
import importlib.util
import json
import os
import struct
import sys

SAFETENSORS_DTYPES = {'float32': 'F32', 'int64': 'I64'}


def load_case_helpers():
    """prepare_imports and friends of bench/pytorch-case.py (a file name Python cannot import by name)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pytorch-case.py')
    spec = importlib.util.spec_from_file_location('pytorch_case', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_safetensors(state_dict, path):
    header, blobs, offset = {}, [], 0
    for name, tensor in state_dict.items():
        array = tensor.detach().cpu().contiguous().numpy()
        data = array.tobytes()
        header[name] = {'dtype': SAFETENSORS_DTYPES[str(array.dtype)], 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode('utf8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as file:
        file.write(struct.pack('<Q', len(text)))
        file.write(text)
        for blob in blobs:
            file.write(blob)


def test_image(index, size, numpy):
    """A smooth ramp with a bright disc that moves with the index: values a chest X-ray model reconstructs imperfectly."""
    y, x = numpy.mgrid[0:size, 0:size]
    ramp = (x + y) / (2 * size) * 160
    disc = ((y - size / 2) ** 2 + (x - (index * 17) % size) ** 2) < (size / 6) ** 2
    return numpy.where(disc, 230, ramp).round().astype(numpy.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--official', required=True, help='checkout of github.com/ci-ber/MorphAEus')
    parser.add_argument('--config', default='cxr/morphaeus.yaml', help='official config, relative to projects/23_morphaeus/configs')
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--images', type=int, default=4)
    parser.add_argument('--seed', type=int, default=3)
    parser.add_argument('--out', required=True, help='folder for weights.safetensors and the PNGs')
    args = parser.parse_args()

    helpers = load_case_helpers()
    helpers.prepare_imports(args.official)
    import numpy
    import torch
    from PIL import Image
    torch.manual_seed(args.seed)
    helpers.keep_tensors_on_cpu(torch)
    spec = helpers.load_official_config(args.official, args.config)
    model = helpers.build_model(spec, args.size, {}).eval()
    os.makedirs(args.out, exist_ok=True)
    write_safetensors(model.state_dict(), os.path.join(args.out, 'weights.safetensors'))

    files, official, float64 = [], [], []
    for index in range(args.images):
        pixels = test_image(index, args.size, numpy)
        file = os.path.join(args.out, f'image-{index}.png')
        Image.fromarray(pixels, mode='L').save(file)
        x = torch.from_numpy(pixels.astype(numpy.float32) / 255.0)[None, None]
        with torch.no_grad():
            reconstruction, _ = model(x)
        residual = numpy.abs(reconstruction[0][0].numpy() - x[0][0].numpy())
        files.append(file)
        official.append(float(numpy.mean(residual)))
        float64.append(float(numpy.mean(residual, dtype=numpy.float64)))
    sys.stdout.flush()
    print(json.dumps({'files': files, 'official': official, 'float64': float64, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
