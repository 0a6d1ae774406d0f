// Statuses with their reasons. Internal checks return a Status (code and why); the exported
// function that made the check reports it once, through softgpu_report, and returns the code, so
// every non-success answer of the software cuDNN says why on stderr. Internal probes (heuristics
// trying every algorithm) look at the code only and stay silent.
#ifndef FOVEA_SOFTGPU_CUDNN_STATUS_H
#define FOVEA_SOFTGPU_CUDNN_STATUS_H

#include "cudnn/cudnn_api.h"

#include <string>

namespace cudnn {

struct Status {
    cudnnStatus_t code = CUDNN_STATUS_SUCCESS;
    std::string why;

    bool ok() const { return code == CUDNN_STATUS_SUCCESS; }
};

inline Status success() { return Status{}; }

// A failure with a printf-style reason.
Status failure(cudnnStatus_t code, const char* format, ...) __attribute__((format(printf, 2, 3)));

// "CUDNN_STATUS_BAD_PARAM" etc.
const char* statusName(cudnnStatus_t status);

// Reports "<call>: <why> (<STATUS>)" when s failed; returns s.code.
cudnnStatus_t finish(const char* call, const Status& s);

// Sends one formatted line to softgpu_report.
void report(const char* format, ...) __attribute__((format(printf, 1, 2)));

// printf into a std::string.
std::string format(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace cudnn

// Early return of a failed Status from a function returning Status.
#define CUDNN_TRY(expr)                   \
    do {                                  \
        ::cudnn::Status s_ = (expr);      \
        if (!s_.ok()) return s_;          \
    } while (0)

#endif
