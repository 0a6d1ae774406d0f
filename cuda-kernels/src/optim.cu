// Fused optimizer updates, one thread per parameter element, following PyTorch's update rules
// (torch.optim, non-foreach, no amsgrad). Each kernel reads the gradient g, updates the parameter w
// and its state buffers in place. Weight decay is L2 (added to the gradient) except in AdamW, where
// it is decoupled (w *= 1 - lr * weightDecay before the Adam step). Step-dependent factors
// (Adam's bias corrections, AdaGrad's learning-rate decay) are computed on the host in double and
// passed in, so the kernels hold no step counter.
#include "common.cuh"

// SGD with momentum, dampening and Nesterov:
//   d = g + weightDecay * w
//   momentum != 0: buf = firstStep ? d : momentum * buf + (1 - dampening) * d
//                  d = nesterov ? d + momentum * buf : buf
//   w -= lr * d
// buf may be null when momentum == 0.
// firstStep != 0 on the first step (buf = d). W = n.
extern "C" __global__ void fovea_sgd_update(const float* g, float* w, float* buf, int n, float lr, float momentum,
                                            float dampening, float weightDecay, int nesterov, int firstStep) {
    FOVEA_GRID_LOOP(i, n) {
        float d = g[i];
        if (weightDecay != 0.0f) {
            d += weightDecay * w[i];
        }
        if (momentum != 0.0f) {
            float b = firstStep ? d : momentum * buf[i] + (1.0f - dampening) * d;
            buf[i] = b;
            d = nesterov ? d + momentum * b : b;
        }
        w[i] -= lr * d;
    }
}

// Adam (decoupled == 0) and AdamW (decoupled != 0); biasCorrection1 = 1 - beta1^t and
// biasCorrection2 = 1 - beta2^t for step t >= 1:
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   w -= lr / biasCorrection1 * m / (sqrt(v) / sqrt(biasCorrection2) + eps)
// W = n.
extern "C" __global__ void fovea_adam_update(const float* g, float* w, float* m, float* v, int n, float lr,
                                             float beta1, float beta2, float eps, float weightDecay,
                                             float biasCorrection1, float biasCorrection2, int decoupled) {
    float stepSize = lr / biasCorrection1;
    float sqrtBias2 = sqrtf(biasCorrection2);
    FOVEA_GRID_LOOP(i, n) {
        float grad = g[i];
        float param = w[i];
        if (weightDecay != 0.0f) {
            if (decoupled) {
                param *= 1.0f - lr * weightDecay;
            } else {
                grad += weightDecay * param;
            }
        }
        float mi = beta1 * m[i] + (1.0f - beta1) * grad;
        float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        w[i] = param - stepSize * mi / (sqrtf(vi) / sqrtBias2 + eps);
    }
}

// AdaGrad with the decayed rate clr = lr / (1 + (t - 1) * lrDecay) computed on the host:
//   g += weightDecay * w;  sum += g^2;  w -= clr * g / (sqrt(sum) + eps)
// W = n.
extern "C" __global__ void fovea_adagrad_update(const float* g, float* w, float* sum, int n, float clr, float eps,
                                                float weightDecay) {
    FOVEA_GRID_LOOP(i, n) {
        float grad = g[i];
        if (weightDecay != 0.0f) {
            grad += weightDecay * w[i];
        }
        float s = sum[i] + grad * grad;
        sum[i] = s;
        w[i] -= clr * grad / (sqrtf(s) + eps);
    }
}

// RMSProp: sq = alpha sq + (1 - alpha) g^2; centered (gradAvg non-null):
// gradAvg = alpha gradAvg + (1 - alpha) g and avg = sqrt(sq - gradAvg^2) + eps, else
// avg = sqrt(sq) + eps; momentum > 0 (buf non-null): buf = momentum buf + g / avg, w -= lr buf;
// else w -= lr g / avg.
// buf may be null when momentum == 0. W = n.
extern "C" __global__ void fovea_rmsprop_update(const float* g, float* w, float* sq, float* gradAvg, float* buf,
                                                int n, float lr, float alpha, float eps, float weightDecay,
                                                float momentum) {
    FOVEA_GRID_LOOP(i, n) {
        float grad = g[i];
        if (weightDecay != 0.0f) {
            grad += weightDecay * w[i];
        }
        float s = alpha * sq[i] + (1.0f - alpha) * grad * grad;
        sq[i] = s;
        float avg;
        if (gradAvg != 0) {
            float ga = alpha * gradAvg[i] + (1.0f - alpha) * grad;
            gradAvg[i] = ga;
            avg = sqrtf(s - ga * ga) + eps;
        } else {
            avg = sqrtf(s) + eps;
        }
        if (momentum > 0.0f) {
            float b = momentum * buf[i] + grad / avg;
            buf[i] = b;
            w[i] -= lr * b;
        } else {
            w[i] -= lr * grad / avg;
        }
    }
}

// AdaDelta: sq = rho sq + (1 - rho) g^2; delta = sqrt(acc + eps) / sqrt(sq + eps) * g;
// acc = rho acc + (1 - rho) delta^2; w -= lr delta.
// W = n.
extern "C" __global__ void fovea_adadelta_update(const float* g, float* w, float* sq, float* acc, int n, float lr,
                                                 float rho, float eps, float weightDecay) {
    FOVEA_GRID_LOOP(i, n) {
        float grad = g[i];
        if (weightDecay != 0.0f) {
            grad += weightDecay * w[i];
        }
        float s = rho * sq[i] + (1.0f - rho) * grad * grad;
        sq[i] = s;
        float delta = sqrtf(acc[i] + eps) / sqrtf(s + eps) * grad;
        acc[i] = rho * acc[i] + (1.0f - rho) * delta * delta;
        w[i] -= lr * delta;
    }
}
