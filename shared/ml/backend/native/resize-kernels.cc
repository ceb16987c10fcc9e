// Bilinear resizing of NHWC float32 images with aligned corners (TF.js's ResizeBilinear)
// and its gradient on the addon's threads; called from shared/ml/backend/native-resize-kernels.ts.
// Source positions, weights and sums are computed in double precision and each value rounded to
// float32 once where the cpu backend's kernels round it, so the results equal theirs.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernel-groups.h"
#include "napi-args.h"
#include "parallel.h"

namespace {

using napi_args::readFloats;
using napi_args::throwIf;

// Fewer values than this on a thread cost more in starting it than they save.
constexpr int64_t kMinValuesPerThread = 32768;

struct ResizeGeometry {
  int64_t batch, inH, inW, channels, outH, outW;
};

// Where one output row (or column) reads: the two source rows and the weight of the second.
struct Tap {
  int64_t low, high;
  double fraction;
};

// Corners aligned: output i reads source position i·(in − 1)/(out − 1) (i·in/out for one output).
std::vector<Tap> taps(int64_t in, int64_t out) {
  const double ratio = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : static_cast<double>(in) / static_cast<double>(out);
  std::vector<Tap> result(out);
  for (int64_t i = 0; i < out; ++i) {
    const double source = ratio * static_cast<double>(i);
    const int64_t low = std::max<int64_t>(0, static_cast<int64_t>(std::floor(source)));
    result[i] = Tap{low, std::min<int64_t>(in - 1, static_cast<int64_t>(std::ceil(source))), source - static_cast<double>(low)};
  }
  return result;
}

void resizeRows(const ResizeGeometry& g, const std::vector<Tap>& rows, const std::vector<Tap>& cols, const float* x, float* y, native_parallel::RowRange range) {
  const int64_t c = g.channels;
  for (int64_t outRow = range.begin; outRow < range.end; ++outRow) {
    const int64_t b = outRow / g.outH;
    const Tap& row = rows[outRow % g.outH];
    const float* top = x + (b * g.inH + row.low) * g.inW * c;
    const float* bottom = x + (b * g.inH + row.high) * g.inW * c;
    float* out = y + outRow * g.outW * c;
    for (int64_t col = 0; col < g.outW; ++col) {
      const Tap& tap = cols[col];
      for (int64_t d = 0; d < c; ++d) {
        const double topLeft = top[tap.low * c + d], topRight = top[tap.high * c + d];
        const double bottomLeft = bottom[tap.low * c + d], bottomRight = bottom[tap.high * c + d];
        const double upper = topLeft + (topRight - topLeft) * tap.fraction;
        const double lower = bottomLeft + (bottomRight - bottomLeft) * tap.fraction;
        out[col * c + d] = static_cast<float>(upper + (lower - upper) * row.fraction);
      }
    }
  }
}

// Adds dy of one output row, weighted by `rowWeight`, into one dx row: every dx value takes
// its terms in output-column order, each rounded to float32 as the cpu kernel's sum is.
void addGradientRow(const ResizeGeometry& g, const std::vector<Tap>& cols, const float* dyRow, double rowWeight, float* dxRow) {
  const int64_t c = g.channels;
  for (int64_t col = 0; col < g.outW; ++col) {
    const Tap& tap = cols[col];
    const double left = rowWeight * (1.0 - tap.fraction), right = rowWeight * tap.fraction;
    for (int64_t d = 0; d < c; ++d) {
      const double dy = dyRow[col * c + d];
      dxRow[tap.low * c + d] = static_cast<float>(dxRow[tap.low * c + d] + dy * left);
      if (tap.high != tap.low) dxRow[tap.high * c + d] = static_cast<float>(dxRow[tap.high * c + d] + dy * right);
    }
  }
}

// Each thread owns whole dx rows and gathers, in output-row order, the dy rows that read them,
// so no two threads write one value and the sums do not depend on the thread count.
void resizeGradRows(const ResizeGeometry& g, const std::vector<Tap>& rows, const std::vector<Tap>& cols, const float* dy, float* dx, native_parallel::RowRange range) {
  const int64_t rowValues = g.inW * g.channels;
  for (int64_t inRow = range.begin; inRow < range.end; ++inRow) {
    const int64_t b = inRow / g.inH, source = inRow % g.inH;
    float* dxRow = dx + inRow * rowValues;
    std::fill(dxRow, dxRow + rowValues, 0.0f);
    for (int64_t outRow = 0; outRow < g.outH; ++outRow) {
      const Tap& tap = rows[outRow];
      const float* dyRow = dy + (b * g.outH + outRow) * g.outW * g.channels;
      if (tap.low == source) addGradientRow(g, cols, dyRow, 1.0 - tap.fraction, dxRow);
      else if (tap.high == source) addGradientRow(g, cols, dyRow, tap.fraction, dxRow);
    }
  }
}

enum class Pass { Forward, Gradient };

// (geometry [batch, inH, inW, channels, outH, outW], x | dy, y | dx).
template <Pass pass>
napi_value runResize(napi_env env, napi_callback_info info) {
  napi_value args[3];
  if (!napi_args::readArguments(env, info, args, "(geometry, input, output)")) return nullptr;
  const int32_t* v = nullptr;
  if (!napi_args::readInts(env, args[0], "geometry", 6, &v)) return nullptr;
  const ResizeGeometry g{v[0], v[1], v[2], v[3], v[4], v[5]};
  if (throwIf(env, g.batch < 1 || g.inH < 1 || g.inW < 1 || g.channels < 1 || g.outH < 1 || g.outW < 1, "geometry must be positive")) return nullptr;
  const int64_t imageSize = g.batch * g.inH * g.inW * g.channels, resizedSize = g.batch * g.outH * g.outW * g.channels;
  const bool forward = pass == Pass::Forward;
  float *input = nullptr, *output = nullptr;
  if (!readFloats(env, args[1], forward ? "x" : "dy", forward ? imageSize : resizedSize, &input) ||
      !readFloats(env, args[2], forward ? "y" : "dx", forward ? resizedSize : imageSize, &output)) {
    return nullptr;
  }
  const auto rows = taps(g.inH, g.outH), cols = taps(g.inW, g.outW);
  const int64_t rowCount = g.batch * (forward ? g.outH : g.inH);
  const int64_t valuesPerRow = (forward ? g.outW : g.inW) * g.channels;
  const auto ranges = native_parallel::evenRanges(rowCount, std::max<int64_t>(kMinValuesPerThread / valuesPerRow, 1));
  native_parallel::forEachRange(ranges, [&](int64_t, native_parallel::RowRange range) {
    if (forward) resizeRows(g, rows, cols, input, output, range);
    else resizeGradRows(g, rows, cols, input, output, range);
  });
  return nullptr;
}

}  // namespace

void registerResizeKernels(napi_env env, napi_value exports) {
  napi_args::defineFunctions(env, exports, {{"resizeBilinear", runResize<Pass::Forward>}, {"resizeBilinearGrad", runResize<Pass::Gradient>}});
}
