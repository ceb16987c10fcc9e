"""
One case of bench/vs-pytorch.ts on the official PyTorch code, in its own process so that
its peak RSS is its own. Prints one JSON object on the last line of stdout.

  train:    the official trainer class of the config (projects/23_morphaeus/*Trainer.py),
            built as the official code builds it, runs its own train() loop on one phantom
            batch handed out again and again; a step is the time between two hand-outs.
  evaluate: the official model in eval mode scores the PNGs listed in CSV files
            (mean |x_rec - x| per image, as the official evaluator) and computes the AUROC
            of the anomalous set against the normal one; loading the PNGs is timed apart.

The official code is imported from the checkout given by --official; nothing of it is
copied here. Packages it imports only for logging and plotting (wandb, torchsummary,
matplotlib, ...) are replaced by inert stand-ins when they are not installed, and its
unconditional moves to "cuda" are turned into no-ops on a machine without CUDA.
"""
import argparse
import csv
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import resource
import sys
import tempfile
import time
import types
from unittest import mock

# Imported by the official modules for logging, plotting or metrics that a timed step never
# calls; stood in for only when missing.
OPTIONAL_PACKAGES = {
    'wandb', 'torchsummary', 'skimage', 'sklearn', 'matplotlib', 'seaborn', 'tqdm', 'umap',
    'plotly', 'lpips', 'pytorch_fid', 'scipy', 'cv2', 'monai', 'pandas',
}
# MorphTrainer.py imports this module, which the official repository does not contain, and
# never uses it.
ABSENT_OFFICIAL_MODULES = {'optim.losses.NCC2'}


class _InertModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return mock.MagicMock(name=f'{self.__name__}.{name}')


class _InertPackageFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: answers only for the modules above that nothing else found."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split('.')[0] not in OPTIONAL_PACKAGES and fullname not in ABSENT_OFFICIAL_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def prepare_imports(official):
    sys.meta_path.append(_InertPackageFinder())
    sys.path.insert(0, os.path.abspath(official))


def keep_tensors_on_cpu(torch):
    """The official NCC loss calls .to("cuda") unconditionally; without CUDA it stays put."""
    if torch.cuda.is_available():
        return
    original_to = torch.Tensor.to

    def to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get('device')
        if isinstance(target, (str, torch.device)) and str(target).startswith('cuda'):
            return self
        return original_to(self, *args, **kwargs)

    torch.Tensor.to = to
    torch.Tensor.cuda = lambda self, *args, **kwargs: self


def load_official_config(official, config):
    import yaml
    path = os.path.join(official, 'projects/23_morphaeus/configs', config)
    with open(path) as file:
        return yaml.load(file, Loader=yaml.UnsafeLoader)


def build_model(spec, size, params_override):
    from dl_utils.config_utils import import_module
    params = dict(spec['model']['params'] or {})
    params.update(params_override)
    if 'inshape' in params:
        params['inshape'] = (size, size)
    model_class = import_module(spec['model']['module_name'], spec['model']['class_name'])
    return model_class(**params)


class _StopBench(Exception):
    pass


class _TimedBatches:
    """The trainer's train_ds: the same batch `count` times, noting when each is asked for."""

    def __init__(self, batch, count):
        self.batch = batch
        self.count = count
        self.batch_size = batch.shape[0]
        self.times = []
        self.cpu_times = []

    def note_time(self):
        self.times.append(time.perf_counter())
        self.cpu_times.append(time.process_time())

    def __len__(self):
        return self.count

    def __iter__(self):
        for _ in range(self.count):
            self.note_time()
            yield (self.batch,)
        self.note_time()
        raise _StopBench()


class _BenchData:
    def __init__(self, batches):
        self.batches = batches

    def train_dataloader(self):
        return self.batches

    def val_dataloader(self):
        return []


class _NoPerceptualLoss:
    """VGG19 needs ImageNet weights that are not available offline; both sides run without it."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, input, target):
        import torch
        return torch.zeros((), dtype=input.dtype)

    def to(self, *args, **kwargs):
        return self


def phantom_batch(path, batch, size):
    import numpy as np
    import torch
    pixels = np.fromfile(path, dtype='<f4')
    if pixels.size != batch * size * size:
        raise SystemExit(f'{path}: {pixels.size} floats, expected {batch}x{size}x{size}')
    return torch.from_numpy(pixels.reshape(batch, 1, size, size).copy())


def run_train(args):
    import torch
    from dl_utils.config_utils import import_module
    spec = load_official_config(args.official, args.config)
    model = build_model(spec, args.size, json.loads(args.params))
    params = dict(spec['trainer']['params'])
    params.update(input_size=(args.size, args.size), nr_epochs=args.epoch + 1, checkpoint_path=tempfile.mkdtemp(prefix='vs-pytorch-'))
    core_trainer = importlib.import_module('core.Trainer')
    core_trainer.PerceptualLoss = _NoPerceptualLoss
    trainer_class = import_module(spec['trainer']['module_name'], spec['trainer']['class_name'])
    batches = _TimedBatches(phantom_batch(args.batch_file, args.batch, args.size), args.warmup + args.steps)
    trainer = trainer_class(params, model, _BenchData(batches), 'cpu', False)
    try:
        trainer.train(start_epoch=args.epoch)
    except _StopBench:
        pass
    else:
        raise SystemExit('the official train() returned before taking every batch')
    step_seconds = [b - a for a, b in zip(batches.times, batches.times[1:])]
    return {
        'warmupSeconds': step_seconds[:args.warmup],
        'stepSeconds': step_seconds[args.warmup:],
        'stepCpuSeconds': batches.cpu_times[-1] - batches.cpu_times[args.warmup],
        'trainer': f"{spec['trainer']['module_name']}.{spec['trainer']['class_name']}",
    }


def read_csv_images(csv_paths, root):
    import numpy as np
    from PIL import Image
    images = []
    for csv_path in csv_paths:
        with open(csv_path) as file:
            rows = [row for row in csv.reader(file) if row]
        for row in rows[1:] if rows and not rows[0][0].endswith('.png') else rows:
            image = Image.open(os.path.join(root, row[0])).convert('L')
            images.append(np.asarray(image, dtype=np.float32) / 255.0)
    return np.stack(images)[:, None, :, :]


def auroc(scores, labels):
    """Mann-Whitney U over average ranks (ties share their rank)."""
    import numpy as np
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    order = np.argsort(scores, kind='mergesort')
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    start = 0
    while start < len(scores):
        end = start
        while end + 1 < len(scores) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def run_evaluate(args):
    import numpy as np
    import torch
    spec = load_official_config(args.official, args.config)
    model = build_model(spec, args.size, json.loads(args.params)).eval()
    load_start = time.perf_counter()
    normal = read_csv_images(args.normal_csv, args.data_root)
    anomalous = read_csv_images(args.anomalous_csv, args.data_root)
    load_seconds = time.perf_counter() - load_start
    images = torch.from_numpy(np.concatenate([normal, anomalous]))
    labels = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous))])
    score_start = time.perf_counter()
    scores = []
    with torch.no_grad():
        for first in range(0, len(images), args.batch):
            x = images[first:first + args.batch]
            reconstruction, _ = model(x)
            scores.append(torch.mean(torch.abs(reconstruction - x), dim=(1, 2, 3)))
    scores = torch.cat(scores).numpy()
    value = auroc(scores, labels)
    score_seconds = time.perf_counter() - score_start
    return {'images': len(images), 'loadSeconds': load_seconds, 'scoreSeconds': score_seconds, 'auroc': value}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('mode', choices=['train', 'evaluate'])
    parser.add_argument('--official', required=True, help='checkout of github.com/ci-ber/MorphAEus')
    parser.add_argument('--config', required=True, help='official config, relative to projects/23_morphaeus/configs, e.g. cxr/baseline.yaml')
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--batch', type=int, required=True)
    parser.add_argument('--threads', type=int, required=True)
    parser.add_argument('--params', default='{}', help='JSON object of model params that replace the config\'s (size adaptation)')
    parser.add_argument('--batch-file', help='train: float32 little-endian images, batch x size x size')
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--epoch', type=int, default=20)
    parser.add_argument('--normal-csv', nargs='*', default=[])
    parser.add_argument('--anomalous-csv', nargs='*', default=[])
    parser.add_argument('--data-root', default='.')
    return parser.parse_args()


def main():
    args = parse_args()
    prepare_imports(args.official)
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    keep_tensors_on_cpu(torch)
    result = run_train(args) if args.mode == 'train' else run_evaluate(args)
    result.update(
        peakRssBytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        torch=torch.__version__,
        threads=torch.get_num_threads(),
    )
    sys.stdout.flush()
    print(json.dumps(result))


if __name__ == '__main__':
    main()
