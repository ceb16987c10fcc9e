// Each group of the addon's kernels adds its functions to the addon's exports (addon.cc).
#pragma once

#include <node_api.h>

void registerConvKernels(napi_env env, napi_value exports);
void registerChannelKernels(napi_env env, napi_value exports);
void registerAdamKernels(napi_env env, napi_value exports);
void registerResizeKernels(napi_env env, napi_value exports);
void registerDeformationKernels(napi_env env, napi_value exports);
