// The bilinear warp of shared/ml/deformation/bilinear-warp-kernels.ts and its gradient, on
// several threads. Each step repeats that file's JavaScript arithmetic (float32 positions and
// weights, float64 sums rounded to float32 once), so both give the same bits. The gradient to
// src scatters into the pixel's own image only, so its threads take whole images and every
// cell is summed in pixel order as in JavaScript: the result does not depend on the threads.
#pragma once

#include <cmath>
#include <cstdint>

#include "parallel.h"

namespace bilinear_warp {

// NHWC sizes of src (flow is [batch, height, width, 2]).
struct WarpShape {
  int64_t batch, height, width, channels;
};

// One pixel of the batch, and where its image starts (pixel indices).
struct PixelAt {
  int64_t pixel, imageStart, row, col;
};

// `visit(at)` for the pixels [begin, end) in order; positions are stepped, not divided out.
template <typename Visit>
void forEachPixel(const WarpShape& s, native_parallel::RowRange range, Visit visit) {
  if (range.begin >= range.end) return;  // an empty batch has images of no pixels to divide by
  const int64_t imagePixels = s.height * s.width;
  const int64_t inImage = range.begin % imagePixels;
  PixelAt at{range.begin, range.begin - inImage, inImage / s.width, inImage % s.width};
  for (; at.pixel < range.end; ++at.pixel) {
    visit(at);
    if (++at.col < s.width) continue;
    at.col = 0;
    if (++at.row < s.height) continue;
    at.row = 0;
    at.imageStart += imagePixels;
  }
}

// The four corners around one sample, in the order 00, 01, 10, 11 (row, column offset): their
// offsets into src (−1 outside the image) and weights (0 outside), and the fractions.
struct Corners {
  int64_t offsets[4];
  double weights[4];
  double fy, fx;

  Corners(const WarpShape& s, const PixelAt& at, const float* flow) {
    const int64_t pixel = at.pixel, imageStart = at.imageStart, row = at.row, col = at.col;
    const float y = static_cast<float>(static_cast<double>(row) + static_cast<double>(flow[2 * pixel]));
    const float x = static_cast<float>(static_cast<double>(col) + static_cast<double>(flow[2 * pixel + 1]));
    const double y0 = std::floor(static_cast<double>(y));
    const double x0 = std::floor(static_cast<double>(x));
    const float fy32 = static_cast<float>(y - y0);
    const float fx32 = static_cast<float>(x - x0);
    const float gy = static_cast<float>(1.0 - fy32);
    const float gx = static_cast<float>(1.0 - fx32);
    fy = fy32;
    fx = fx32;
    for (int k = 0; k < 4; ++k) {
      const double r = y0 + (k >> 1);
      const double c = x0 + (k & 1);
      const bool inside = r >= 0 && r < s.height && c >= 0 && c < s.width;
      offsets[k] = inside ? (imageStart + static_cast<int64_t>(r) * s.width + static_cast<int64_t>(c)) * s.channels : -1;
      const double weight = static_cast<double>((k >> 1) ? fy32 : gy) * static_cast<double>((k & 1) ? fx32 : gx);
      weights[k] = inside ? static_cast<double>(static_cast<float>(weight)) : 0.0;
    }
  }

  double value(const float* src, int k, int64_t c) const { return offsets[k] < 0 ? 0.0 : src[offsets[k] + c]; }
};

// Pixels (of B·H·W) per thread below which another thread is not worth starting.
constexpr int64_t kMinPixelsPerThread = 4096;

inline void forward(const WarpShape& s, const float* src, const float* flow, float* out) {
  const int64_t pixels = s.batch * s.height * s.width;
  native_parallel::forEachRange(native_parallel::evenRanges(pixels, kMinPixelsPerThread), [&](int64_t, native_parallel::RowRange range) {
    forEachPixel(s, range, [&](const PixelAt& at) {
      const Corners corners(s, at, flow);
      for (int64_t c = 0; c < s.channels; ++c) {
        double sum = 0;
        for (int k = 0; k < 4; ++k) sum += corners.weights[k] * corners.value(src, k, c);
        out[at.pixel * s.channels + c] = static_cast<float>(sum);
      }
    });
  });
}

// One pixel's share of the gradient: its scatter into dSrc and its two flow derivatives.
inline void backwardPixel(const WarpShape& s, const PixelAt& at, const float* src, const float* flow, const float* dy, float* dSrc, float* dFlow) {
  const int64_t pixel = at.pixel;
  const Corners corners(s, at, flow);
  double dRow = 0;
  double dCol = 0;
  for (int64_t c = 0; c < s.channels; ++c) {
    const double upstream = dy[pixel * s.channels + c];
    for (int k = 0; k < 4; ++k) {
      if (corners.offsets[k] < 0) continue;
      float& cell = dSrc[corners.offsets[k] + c];
      cell = static_cast<float>(static_cast<double>(cell) + corners.weights[k] * upstream);
    }
    const double v00 = corners.value(src, 0, c);
    const double v01 = corners.value(src, 1, c);
    const double v10 = corners.value(src, 2, c);
    const double v11 = corners.value(src, 3, c);
    dRow += upstream * ((v10 - v00) * (1 - corners.fx) + (v11 - v01) * corners.fx);
    dCol += upstream * ((v01 - v00) * (1 - corners.fy) + (v11 - v10) * corners.fy);
  }
  dFlow[2 * pixel] = static_cast<float>(dRow);
  dFlow[2 * pixel + 1] = static_cast<float>(dCol);
}

inline void backward(const WarpShape& s, const float* src, const float* flow, const float* dy, float* dSrc, float* dFlow) {
  const int64_t imagePixels = s.height * s.width;
  const auto ranges = native_parallel::evenRanges(s.batch * imagePixels, kMinPixelsPerThread, imagePixels);
  native_parallel::forEachRange(ranges, [&](int64_t, native_parallel::RowRange range) {
    for (int64_t i = range.begin * s.channels; i < range.end * s.channels; ++i) dSrc[i] = 0;
    forEachPixel(s, range, [&](const PixelAt& at) { backwardPixel(s, at, src, flow, dy, dSrc, dFlow); });
  });
}

}  // namespace bilinear_warp
