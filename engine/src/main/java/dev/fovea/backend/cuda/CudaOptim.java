package dev.fovea.backend.cuda;

import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Tensor;

import java.util.List;

import static dev.fovea.backend.cuda.CudaDevice.ptr;

/**
 * Fused optimiser updates on the device (optim.ptx): one kernel per parameter and step updates the
 * weights and the state buffers in place, so parameters never travel to the host. Step-dependent
 * factors (bias corrections, AdaGrad's decayed rate) are computed here in double, as in
 * {@link OptimizerConfig#update}; the state buffers are in {@link OptimizerConfig#stateNames()} order.
 */
final class CudaOptim {
    static final KernelRef SGD_UPDATE = KernelRef.of("optim", "fovea_sgd_update");
    static final KernelRef ADAM_UPDATE = KernelRef.of("optim", "fovea_adam_update");
    static final KernelRef ADAGRAD_UPDATE = KernelRef.of("optim", "fovea_adagrad_update");
    static final KernelRef RMSPROP_UPDATE = KernelRef.of("optim", "fovea_rmsprop_update");
    static final KernelRef ADADELTA_UPDATE = KernelRef.of("optim", "fovea_adadelta_update");

    private final CudaDevice dev;

    CudaOptim(CudaDevice dev) {
        this.dev = dev;
    }

    void update(OptimizerConfig config, Tensor param, Tensor grad, List<Tensor> state, long step, double lr) {
        int n = param.size();
        String ctx = config.name() + " update of " + param.shape();
        if (config instanceof Sgd s) {
            dev.kernels.launch(SGD_UPDATE, n, ctx, ptr(grad), ptr(param), s.momentum() == 0 ? null : ptr(state.get(0)),
                    n, (float) lr, (float) s.momentum(), (float) s.dampening(), (float) s.weightDecay(),
                    s.nesterov() ? 1 : 0, step == 1 ? 1 : 0);
        } else if (config instanceof Adam a) {
            dev.kernels.launch(ADAM_UPDATE, n, ctx, ptr(grad), ptr(param), ptr(state.get(0)), ptr(state.get(1)),
                    n, (float) lr, (float) a.beta1(), (float) a.beta2(), (float) a.eps(), (float) a.weightDecay(),
                    (float) (1 - Math.pow(a.beta1(), step)), (float) (1 - Math.pow(a.beta2(), step)),
                    a.decoupled() ? 1 : 0);
        } else if (config instanceof AdaGrad g) {
            dev.kernels.launch(ADAGRAD_UPDATE, n, ctx, ptr(grad), ptr(param), ptr(state.get(0)), n,
                    (float) (lr / (1 + (step - 1) * g.lrDecay())), (float) g.eps(), (float) g.weightDecay());
        } else if (config instanceof RmsProp r) {
            Tensor buf = r.momentum() > 0 ? state.get(1) : null;
            Tensor avg = r.centered() ? state.get(r.momentum() > 0 ? 2 : 1) : null;
            dev.kernels.launch(RMSPROP_UPDATE, n, ctx, ptr(grad), ptr(param), ptr(state.get(0)),
                    avg == null ? null : ptr(avg), buf == null ? null : ptr(buf), n, (float) lr, (float) r.alpha(),
                    (float) r.eps(), (float) r.weightDecay(), (float) r.momentum());
        } else if (config instanceof AdaDelta d) {
            dev.kernels.launch(ADADELTA_UPDATE, n, ctx, ptr(grad), ptr(param), ptr(state.get(0)),
                    ptr(state.get(1)), n, (float) lr, (float) d.rho(), (float) d.eps(), (float) d.weightDecay());
        } else {
            throw new IllegalArgumentException("no device update for optimizer " + config.name());
        }
    }
}
