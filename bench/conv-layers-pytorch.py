"""
PyTorch's side of bench/conv-layers.ts: for each convolution geometry (JSON list of
ConvLayer objects, NHWC sizes as our kernels see them) the milliseconds of its
forward pass, input gradient and filter gradient (the fastest of --repeats calls), each computed alone by the ATen kernels
the official model's training runs (NCHW, float32). Prints one JSON list of
[forward, input, filter] on the last line of stdout. --clock cpu counts the process's CPU time
instead of wall time.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def fastest_ms(run, repeats, clock):
    run()
    times = []
    for _ in range(repeats):
        start = clock()
        run()
        times.append((clock() - start) * 1000)
    return min(times)


def layer_times(layer, repeats, clock):
    x = torch.randn(layer['batch'], layer['inC'], layer['inH'], layer['inW'])
    # Padding that is not the same on both sides is applied to x beforehand, as PyTorch's
    # own convolutions only pad symmetrically.
    symmetric = layer['padTop'] == layer['padBottom'] and layer['padLeft'] == layer['padRight']
    if not symmetric:
        x = F.pad(x, (layer['padLeft'], layer['padRight'], layer['padTop'], layer['padBottom']))
    padding = [layer['padTop'], layer['padLeft']] if symmetric else [0, 0]
    w = torch.randn(layer['outC'], layer['inC'], layer['kh'], layer['kw'])
    stride = [layer['stride'], layer['stride']]
    y = F.conv2d(x, w, None, stride, padding)
    dy = torch.randn_like(y)

    def backward(mask):
        return lambda: torch.ops.aten.convolution_backward(dy, x, w, None, stride, padding, [1, 1], False, [0, 0], 1, mask)

    with torch.no_grad():
        return [
            fastest_ms(lambda: F.conv2d(x, w, None, stride, padding), repeats, clock),
            fastest_ms(backward([True, False, False]), repeats, clock),
            fastest_ms(backward([False, True, False]), repeats, clock),
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--clock', choices=['wall', 'cpu'], default='wall')
    parser.add_argument('layers')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    print(json.dumps([layer_times(layer, args.repeats, clock) for layer in json.loads(args.layers)]))


main()
