// What the pooling descriptor functions and the pooling operations share.
#ifndef FOVEA_SOFTGPU_CUDNN_POOLING_H
#define FOVEA_SOFTGPU_CUDNN_POOLING_H

#include "cudnn/objects.h"
#include "cudnn/status.h"

namespace cudnn {

// Dims (N, C, spatial...) of pooling x with p; nbDims must be x's. BAD_PARAM when the ranks
// disagree or a window exceeds its padded input.
Status poolOutputDims(const PoolObj& p, const TensorObj& x, int nbDims, int* out);

}  // namespace cudnn

#endif
