// The NCC window sums of shared/ml/losses/box-sum-kernels.ts and their gradient, on several
// threads, one image at a time per thread. The sums are float64 in the JavaScript kernels'
// order, rounded to float32 once, so both give the same bits whatever the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.h"

namespace box_sum {

// NHWC sizes of x, and the odd window side.
struct BoxShape {
  int64_t batch, height, width, channels, window;
};

// Each cell's sum over the window centred on it, zeros outside the plane; `alongRows` is scratch.
inline void windowSums(const BoxShape& s, const double* plane, double* alongRows, float* out) {
  const int64_t half = (s.window - 1) / 2;
  for (int64_t i = 0; i < s.height; ++i) {
    for (int64_t j = 0; j < s.width; ++j) {
      double sum = 0;
      for (int64_t k = std::max<int64_t>(0, j - half); k <= std::min(s.width - 1, j + half); ++k) sum += plane[i * s.width + k];
      alongRows[i * s.width + j] = sum;
    }
  }
  for (int64_t i = 0; i < s.height; ++i) {
    for (int64_t j = 0; j < s.width; ++j) {
      double sum = 0;
      for (int64_t k = std::max<int64_t>(0, i - half); k <= std::min(s.height - 1, i + half); ++k) sum += alongRows[k * s.width + j];
      out[i * s.width + j] = static_cast<float>(sum);
    }
  }
}

// Images per thread: a 128² image is ~0.1 ms of work, worth a thread.
constexpr int64_t kMinImagesPerThread = 1;

// `pass(image, plane, alongRows)` for every image, each thread with its own scratch planes.
template <typename Pass>
void forEachImage(const BoxShape& s, Pass pass) {
  const int64_t planeSize = s.height * s.width;
  native_parallel::forEachRange(native_parallel::evenRanges(s.batch, kMinImagesPerThread), [&](int64_t, native_parallel::RowRange range) {
    std::vector<double> plane(planeSize), alongRows(planeSize);
    for (int64_t b = range.begin; b < range.end; ++b) pass(b, plane.data(), alongRows.data());
  });
}

// x [B, H, W, C] → y [B, H, W, 1]: the window sums of the channels' sum.
inline void forward(const BoxShape& s, const float* x, float* y) {
  const int64_t planeSize = s.height * s.width;
  forEachImage(s, [&](int64_t b, double* plane, double* alongRows) {
    const float* image = x + b * planeSize * s.channels;
    for (int64_t p = 0; p < planeSize; ++p) {
      double sum = 0;
      for (int64_t c = 0; c < s.channels; ++c) sum += image[p * s.channels + c];
      plane[p] = sum;
    }
    windowSums(s, plane, alongRows, y + b * planeSize);
  });
}

// dy [B, H, W, 1] → dx [B, H, W, C]: the window sums of dy, given to every channel.
inline void backward(const BoxShape& s, const float* dy, float* dx) {
  const int64_t planeSize = s.height * s.width;
  forEachImage(s, [&](int64_t b, double* plane, double* alongRows) {
    std::vector<float> sums(planeSize);
    for (int64_t p = 0; p < planeSize; ++p) plane[p] = dy[b * planeSize + p];
    windowSums(s, plane, alongRows, sums.data());
    float* image = dx + b * planeSize * s.channels;
    for (int64_t p = 0; p < planeSize; ++p) std::fill(image + p * s.channels, image + (p + 1) * s.channels, sums[p]);
  });
}

}  // namespace box_sum
