// The convolution passes of conv-kernels.cc (the addon) and bench/native-conv-passes.cc:
// forward, input gradient and filter gradient of a 2-D convolution on float32 NHWC data with a
// [kh, kw, Ci, Co] filter (dilation 1), as im2col + OpenBLAS sgemm on chunks of output
// positions. The threads set by setThreads are our own: the output positions are split into one
// contiguous range per thread, each thread gathering its chunks into a cache-sized buffer and
// multiplying them with OpenBLAS kept single-threaded. Letting OpenBLAS split each product
// instead leaves the patch copies on one thread, splits thin products (few channels) poorly,
// and its idle workers spin, taking the core from the other thread.
// Every output value is summed in an order that depends only on the shapes and the thread count
// (the filter gradient adds the threads' partial sums in thread order), so a training run
// repeats bit for bit.
#pragma once

#include <cblas.h>

#include "parallel.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace conv_passes {

using native_parallel::computeThreads;
using native_parallel::forEachRange;
using native_parallel::RowRange;

// Patch buffer of one chunk: about half of a core's L2 cache, so the patches are still cached
// when sgemm reads them...
constexpr int64_t kCachedPatchValues = int64_t{1} << 16;
// ...but at least this many rows, so that sgemm's packing of the filter, redone for every
// chunk, stays a small part of the product.
constexpr int64_t kMinSplitChunkRows = 512;
// Fewer output positions per thread than this are not worth a thread of their own.
constexpr int64_t kMinSplitRows = 64;

// Shapes of one convolution: x [batch, inH, inW, inC], y [batch, outH, outW, outC].
struct ConvGeometry {
  int64_t batch, inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft;

  int64_t patchWidth() const { return kh * kw * inC; }
  int64_t rowCount() const { return batch * outH * outW; }
  // A 1×1, stride-1, unpadded convolution reads x itself as its patch matrix.
  bool isPointwise() const {
    return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && inH == outH && inW == outW;
  }
  bool splitsPositions() const { return computeThreads > 1 && rowCount() >= kMinSplitRows * computeThreads; }
  int64_t rowsPerChunk() const { return std::max(kCachedPatchValues / patchWidth(), kMinSplitChunkRows); }
};

// Calls `visit(patchOffset, xOffset)` for every filter tap of output row `row`, xOffset < 0 for
// a tap in the padding; each visited span is inC values long.
template <typename Visit>
void forEachTap(const ConvGeometry& g, int64_t row, Visit visit) {
  const int64_t b = row / (g.outH * g.outW);
  const int64_t rest = row - b * g.outH * g.outW;
  const int64_t ho = rest / g.outW;
  const int64_t wo = rest - ho * g.outW;
  for (int64_t i = 0; i < g.kh; ++i) {
    const int64_t hi = ho * g.strideH + i - g.padTop;
    const bool rowInside = hi >= 0 && hi < g.inH;
    for (int64_t j = 0; j < g.kw; ++j) {
      const int64_t wi = wo * g.strideW + j - g.padLeft;
      const bool inside = rowInside && wi >= 0 && wi < g.inW;
      visit((i * g.kw + j) * g.inC, inside ? ((b * g.inH + hi) * g.inW + wi) * g.inC : -1);
    }
  }
}

inline void gatherPatches(const ConvGeometry& g, const float* x, int64_t row0, int64_t rows, float* patches) {
  const int64_t width = g.patchWidth();
  for (int64_t r = 0; r < rows; ++r) {
    float* patchRow = patches + r * width;
    forEachTap(g, row0 + r, [&](int64_t patchOffset, int64_t xOffset) {
      if (xOffset < 0) std::memset(patchRow + patchOffset, 0, sizeof(float) * g.inC);
      else std::memcpy(patchRow + patchOffset, x + xOffset, sizeof(float) * g.inC);
    });
  }
}

inline void scatterPatches(const ConvGeometry& g, const float* patches, int64_t row0, int64_t rows, float* dx) {
  const int64_t width = g.patchWidth();
  for (int64_t r = 0; r < rows; ++r) {
    const float* patchRow = patches + r * width;
    forEachTap(g, row0 + r, [&](int64_t patchOffset, int64_t xOffset) {
      if (xOffset < 0) return;
      const float* from = patchRow + patchOffset;
      float* to = dx + xOffset;
      for (int64_t c = 0; c < g.inC; ++c) to[c] += from[c];
    });
  }
}

// The threads' row ranges: contiguous, in order, each a multiple of `align` rows long (the
// last takes the rest). One range when the positions are not split.
inline std::vector<RowRange> rowRanges(const ConvGeometry& g, int64_t align) {
  const int64_t units = g.rowCount() / align;
  const int64_t parts = g.splitsPositions() ? std::min<int64_t>(computeThreads, units) : 1;
  std::vector<RowRange> ranges;
  for (int64_t p = 0; p < std::max<int64_t>(parts, 1); ++p) {
    const int64_t begin = units * p / std::max<int64_t>(parts, 1) * align;
    const int64_t end = p + 1 >= parts ? g.rowCount() : units * (p + 1) / parts * align;
    ranges.push_back({begin, end});
  }
  return ranges;
}

// Calls `step(patches, row0, rows)` for consecutive chunks of `range`, with a patch buffer of
// rows × K floats that is reused from chunk to chunk (none for a pointwise convolution, whose
// input is its patch matrix: one chunk, and no buffer).
template <typename Step>
void forEachChunk(const ConvGeometry& g, RowRange range, Step step) {
  const int64_t chunk = g.isPointwise() ? range.end - range.begin : g.rowsPerChunk();
  std::vector<float> patches(g.isPointwise() ? 0 : std::min(chunk, range.end - range.begin) * g.patchWidth());
  for (int64_t row0 = range.begin; row0 < range.end; row0 += chunk) step(patches.data(), row0, std::min(chunk, range.end - row0));
}

// The patch rows [row0, row0 + rows): gathered into `patches`, or x itself when pointwise.
inline const float* patchRows(const ConvGeometry& g, const float* x, int64_t row0, int64_t rows, float* patches) {
  if (g.isPointwise()) return x + row0 * g.patchWidth();
  gatherPatches(g, x, row0, rows, patches);
  return patches;
}

// y[rows, outC] = patches[rows, K] · w[K, outC]
inline void conv2dForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int64_t width = g.patchWidth();
  forEachRange(rowRanges(g, 1), [&](int64_t, RowRange range) {
    forEachChunk(g, range, [&](float* patches, int64_t row0, int64_t rows) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, g.outC, width, 1.0f, patchRows(g, x, row0, rows, patches), width, w,
                  g.outC, 0.0f, y + row0 * g.outC, g.outC);
    });
  });
}

// dw[K, outC] = Σ over chunks of patchesᵀ[K, rows] · dy[rows, outC]; with the positions split,
// each thread sums its own chunks and the threads' sums are added in order.
inline void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t width = g.patchWidth();
  const std::vector<RowRange> ranges = rowRanges(g, 1);
  const int64_t filterSize = width * g.outC;
  std::vector<float> partials((ranges.size() - 1) * filterSize);
  forEachRange(ranges, [&](int64_t part, RowRange range) {
    float* sum = part == 0 ? dw : partials.data() + (part - 1) * filterSize;
    forEachChunk(g, range, [&](float* patches, int64_t row0, int64_t rows) {
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, width, g.outC, rows, 1.0f, patchRows(g, x, row0, rows, patches), width,
                  dy + row0 * g.outC, g.outC, row0 == range.begin ? 0.0f : 1.0f, sum, g.outC);
    });
  });
  for (size_t part = 1; part < ranges.size(); ++part) {
    const float* from = partials.data() + (part - 1) * filterSize;
    for (int64_t k = 0; k < filterSize; ++k) dw[k] += from[k];
  }
}

// dpatches[rows, K] = dy[rows, outC] · wᵀ, added back onto the input positions they came from
// (pointwise: dx itself). Split positions go by whole images, so no two threads add onto the
// same input value.
inline void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const int64_t width = g.patchWidth();
  if (g.isPointwise()) {
    forEachRange(rowRanges(g, 1), [&](int64_t, RowRange range) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, range.end - range.begin, width, g.outC, 1.0f, dy + range.begin * g.outC,
                  g.outC, w, g.outC, 0.0f, dx + range.begin * width, width);
    });
    return;
  }
  const int64_t imageRows = g.outH * g.outW;
  const int64_t imageValues = g.inH * g.inW * g.inC;
  forEachRange(rowRanges(g, imageRows), [&](int64_t, RowRange range) {
    std::fill(dx + range.begin / imageRows * imageValues, dx + range.end / imageRows * imageValues, 0.0f);
    forEachChunk(g, range, [&](float* patches, int64_t row0, int64_t rows) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, width, g.outC, 1.0f, dy + row0 * g.outC, g.outC, w, g.outC, 0.0f,
                  patches, width);
      scatterPatches(g, patches, row0, rows, dx);
    });
  });
}

}  // namespace conv_passes
