/*
 * Stand-in for tensorflow/core/platform/ctstring_internal.h, which the TF.js Node binding
 * (4.x) includes for string tensors (TF_TString, TensorFlow >= 2.4) and which the
 * libtensorflow 1.15 headers that `npm run setup:tensorflow` builds against do not have.
 * aelab never creates string tensors; these definitions only let the binding compile.
 * A string tensor on such a build is not supported: libtensorflow 1.15 lays strings out
 * differently (offsets then varint-prefixed bytes).
 */
#ifndef AELAB_CTSTRING_INTERNAL_STUB_H_
#define AELAB_CTSTRING_INTERNAL_STUB_H_

#include <stdlib.h>
#include <string.h>

typedef struct TF_TString {
  char *data;
  size_t size;
} TF_TString;

static inline void TF_TString_Init(TF_TString *str) {
  str->data = NULL;
  str->size = 0;
}

static inline void TF_TString_Dealloc(TF_TString *str) {
  free(str->data);
  TF_TString_Init(str);
}

static inline void TF_TString_Copy(TF_TString *dst, const char *src, size_t size) {
  free(dst->data);
  dst->data = (char *)malloc(size > 0 ? size : 1);
  if (size > 0) memcpy(dst->data, src, size);
  dst->size = size;
}

static inline const char *TF_TString_GetDataPointer(const TF_TString *str) { return str->data; }

static inline size_t TF_TString_GetSize(const TF_TString *str) { return str->size; }

#endif  // AELAB_CTSTRING_INTERNAL_STUB_H_
