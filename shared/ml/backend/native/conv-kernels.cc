// N-API bindings of the convolution passes, called from shared/ml/backend/native-conv-kernels.ts:
// oneDNN's (conv-onednn.h) when the addon was built with it (AELAB_ONEDNN, where libdnnl-dev is
// installed), else, or for a geometry oneDNN has no kernel for, OpenBLAS's (conv-passes.h).
#include <node_api.h>

#include <cstdlib>
#include <string>

#include "conv-passes.h"
#ifdef AELAB_ONEDNN
#include "conv-onednn.h"
#endif
#include "kernel-groups.h"
#include "napi-args.h"

extern "C" char* openblas_get_corename(void);

namespace {

using conv_passes::ConvGeometry;

using napi_args::readFloats;
using napi_args::throwIf;

bool readGeometry(napi_env env, napi_value value, ConvGeometry* g) {
  const int32_t* v = nullptr;
  if (!napi_args::readInts(env, value, "geometry", 13, &v)) return false;
  *g = ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
  return true;
}

enum class Pass { Forward, BackpropFilter, BackpropInput };

#ifdef AELAB_ONEDNN
// AELAB_CONV_LIBRARY=openblas keeps the convolutions on OpenBLAS (to compare the two libraries,
// and to test the fallback where oneDNN is built in).
bool onednnComputes() {
  static const bool computes = [] {
    const char* library = std::getenv("AELAB_CONV_LIBRARY");
    return library == nullptr || std::string(library) != "openblas";
  }();
  return computes;
}
#else
bool onednnComputes() { return false; }
namespace conv_onednn {
bool conv2dForward(const ConvGeometry&, const float*, const float*, float*) { return false; }
bool conv2dBackpropFilter(const ConvGeometry&, const float*, const float*, float*) { return false; }
bool conv2dBackpropInput(const ConvGeometry&, const float*, const float*, float*) { return false; }
}  // namespace conv_onednn
#endif

void computeForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  if (!onednnComputes() || !conv_onednn::conv2dForward(g, x, w, y)) conv_passes::conv2dForward(g, x, w, y);
}
void computeBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  if (!onednnComputes() || !conv_onednn::conv2dBackpropFilter(g, x, dy, dw)) conv_passes::conv2dBackpropFilter(g, x, dy, dw);
}
void computeBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (!onednnComputes() || !conv_onednn::conv2dBackpropInput(g, dy, w, dx)) conv_passes::conv2dBackpropInput(g, dy, w, dx);
}

std::string convLibraryName() {
#ifdef AELAB_ONEDNN
  if (onednnComputes()) {
    const dnnl_version_t* v = dnnl::version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  }
#endif
  return std::string("OpenBLAS ") + openblas_get_corename();
}

// (geometry, a, b, out): forward (x, w, y), filter gradient (x, dy, dw), input gradient (dy, w, dx).
template <Pass pass>
napi_value runConv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (throwIf(env, argc != 4, "expected (geometry, a, b, out)")) return nullptr;
  ConvGeometry g{};
  if (!readGeometry(env, args[0], &g)) return nullptr;
  const int64_t xSize = g.batch * g.inH * g.inW * g.inC;
  const int64_t ySize = g.rowCount() * g.outC;
  const int64_t wSize = g.patchWidth() * g.outC;
  float *a = nullptr, *b = nullptr, *out = nullptr;
  if (pass == Pass::Forward) {
    if (!readFloats(env, args[1], "x", xSize, &a) || !readFloats(env, args[2], "w", wSize, &b) || !readFloats(env, args[3], "y", ySize, &out)) return nullptr;
    computeForward(g, a, b, out);
  } else if (pass == Pass::BackpropFilter) {
    if (!readFloats(env, args[1], "x", xSize, &a) || !readFloats(env, args[2], "dy", ySize, &b) || !readFloats(env, args[3], "dw", wSize, &out)) return nullptr;
    computeBackpropFilter(g, a, b, out);
  } else {
    if (!readFloats(env, args[1], "dy", ySize, &a) || !readFloats(env, args[2], "w", wSize, &b) || !readFloats(env, args[3], "dx", xSize, &out)) return nullptr;
    computeBackpropInput(g, a, b, out);
  }
  return nullptr;
}

// The kernel set OpenBLAS chose for this CPU (e.g. Haswell, SkylakeX), for the logs.
napi_value blasCore(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &result);
  return result;
}

// The library that computes the convolutions, e.g. "oneDNN 2.6.3" or "OpenBLAS Haswell", for the logs.
napi_value convLibrary(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, convLibraryName().c_str(), NAPI_AUTO_LENGTH, &result);
  return result;
}

}  // namespace

void registerConvKernels(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"conv2d", nullptr, runConv<Pass::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, runConv<Pass::BackpropFilter>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, runConv<Pass::BackpropInput>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasCore", nullptr, blasCore, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convLibrary", nullptr, convLibrary, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}
