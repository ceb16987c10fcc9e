import { describeNativeConvKernels } from './native-conv-kernel-suite.ts';

// The OpenBLAS passes are the addon's fallback where it was built without oneDNN; this runs them
// where it was built with it (this file's own process loads the addon after this line).
process.env.AELAB_CONV_LIBRARY = 'openblas';

describeNativeConvKernels(/^OpenBLAS /);
