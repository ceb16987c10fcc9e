// The addon's entry point: every kernel group's functions, and the thread count they share.
#include <node_api.h>

#include "kernel-groups.h"
#include "napi-args.h"
#include "parallel.h"

#ifdef AELAB_ONEDNN
#include <omp.h>
#endif

extern "C" void openblas_set_num_threads(int);

namespace {

// Our kernels split their work over our own threads; OpenBLAS runs single-threaded inside them.
// oneDNN (where the addon was built with it) runs on as many OpenMP threads.
napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int32_t threads = 0;
  if (napi_args::throwIf(env, argc != 1 || napi_get_value_int32(env, arg, &threads) != napi_ok || threads < 1,
                         "threads must be a positive integer")) {
    return nullptr;
  }
  native_parallel::computeThreads = threads;
  openblas_set_num_threads(1);
#ifdef AELAB_ONEDNN
  omp_set_num_threads(threads);
#endif
  napi_value result;
  napi_create_int32(env, native_parallel::computeThreads, &result);
  return result;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor property = {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr};
  napi_define_properties(env, exports, 1, &property);
  registerConvKernels(env, exports);
  registerChannelKernels(env, exports);
  registerAdamKernels(env, exports);
  registerResizeKernels(env, exports);
  registerDeformationKernels(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
