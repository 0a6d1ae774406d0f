// What the convolution compute calls and the algorithm queries share: argument checks of the
// algorithm and its workspace.
#ifndef FOVEA_SOFTGPU_CUDNN_CONV_API_COMMON_H
#define FOVEA_SOFTGPU_CUDNN_CONV_API_COMMON_H

#include "cudnn/conv_geometry.h"
#include "cudnn/conv_kernels.h"
#include "cudnn/cudnn_api.h"
#include "cudnn/gemm.h"
#include "cudnn/launch.h"
#include "cudnn/objects.h"
#include "cudnn/status.h"

#include <string>

namespace cudnn {

// BAD_PARAM when the caller's workspace is smaller than the algorithm declares (or NULL).
Status checkWorkspace(const char* algoName, size_t need, const void* workspace, size_t given);

// BAD_PARAM for an algorithm outside the enumeration, NOT_SUPPORTED for one the shape cannot use.
Status checkAlgo(int algo, int count, bool (*supported)(const ConvShape&, int, std::string*), const ConvShape& s);

}  // namespace cudnn

#endif
