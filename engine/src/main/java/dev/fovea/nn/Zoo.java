package dev.fovea.nn;

import dev.fovea.graph.ConvSpec;
import dev.fovea.graph.Graph;
import dev.fovea.graph.GraphBuilder;
import dev.fovea.graph.Value;
import dev.fovea.primitives.Activation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The model zoo: the architectures the course material walks through, with PyTorch parameter names
 * so checkpoints move between Fovea and PyTorch. Each takes NCHW input of the shape noted.
 */
public final class Zoo {
    private static final Map<String, Supplier<Graph>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("mnist-cnn", Zoo::mnistCnn);
        MODELS.put("lenet5", Zoo::lenet5);
        MODELS.put("vgg-small", Zoo::vggSmall);
        MODELS.put("resnet18-cifar", Zoo::resnet18Cifar);
        MODELS.put("resnet18", Zoo::resnet18);
        MODELS.put("mobilenet-small", Zoo::mobileNetSmall);
        MODELS.put("mobilenetv3-small-cifar", Zoo::mobileNetV3SmallCifar);
        MODELS.put("dilated-cnn", Zoo::dilatedCnn);
        MODELS.put("inception-small", Zoo::inceptionSmall);
        MODELS.put("densenet-small", Zoo::denseNetSmall);
    }

    private Zoo() {
    }

    public static Set<String> names() {
        return MODELS.keySet();
    }

    public static boolean exists(String name) {
        return MODELS.containsKey(name);
    }

    public static Graph get(String name) {
        Supplier<Graph> s = MODELS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; the zoo has: " + String.join(", ", names())
                    + " (or give a model file, see the README)");
        }
        return s.get();
    }

    /**
     * The reference "digit detector" (seed-examples §13, PyTorch's MNIST example): 1x28x28 ->
     * conv 32 -> relu -> conv 64 -> relu -> maxpool 2 -> flatten 9216 -> fc 128 -> relu -> fc 10.
     * 1,199,882 parameters.
     */
    public static Graph mnistCnn() {
        GraphBuilder b = new GraphBuilder("mnist-cnn", 1, 28, 28);
        Value x = b.relu(b.conv2d("conv1", b.input(), 32, 3));
        x = b.relu(b.conv2d("conv2", x, 64, 3));
        x = b.flatten(b.maxPool(x, 2));
        x = b.relu(b.linear("fc1", x, 128));
        return b.build(b.linear("fc2", x, 10));
    }

    /** LeNet-5 on 1x28x28 with padding 2 on the first conv (6-16-120-84-10, avg pooling, tanh): 61,706 parameters. */
    public static Graph lenet5() {
        GraphBuilder b = new GraphBuilder("lenet5", 1, 28, 28);
        Value x = b.tanh(b.conv2d("conv1", b.input(), ConvSpec.of(6, 5).padding(2)));
        x = b.pool("avg_pool2d", x, 2, 2, 0);
        x = b.tanh(b.conv2d("conv2", x, 16, 5));
        x = b.flatten(b.pool("avg_pool2d", x, 2, 2, 0));
        x = b.tanh(b.linear("fc1", x, 120));
        x = b.tanh(b.linear("fc2", x, 84));
        return b.build(b.linear("fc3", x, 10));
    }

    /** A small VGG-style net for 3x32x32 (CIFAR-10): stacks of 3x3 conv + BN + ReLU, max pooling. */
    public static Graph vggSmall() {
        GraphBuilder b = new GraphBuilder("vgg-small", 3, 32, 32);
        Value x = b.input();
        int[][] stages = {{32, 32}, {64, 64}, {128, 128}};
        int i = 0;
        for (int[] stage : stages) {
            for (int c : stage) {
                i++;
                x = b.conv2d("features.conv" + i, x, ConvSpec.of(c, 3).padding(1).noBias());
                x = b.relu(b.batchNorm("features.bn" + i, x));
            }
            x = b.maxPool(x, 2);
        }
        x = b.flatten(x);
        x = b.dropout(b.relu(b.linear("classifier.fc1", x, 256)), 0.5);
        return b.build(b.linear("classifier.fc2", x, 10));
    }

    /**
     * ResNet-18 for CIFAR-10 (3x3 stem, no stem pooling, basic blocks 2-2-2-2 with 64-128-256-512
     * channels, 1x1 projection shortcuts): about 11.17M parameters, torchvision-style names.
     */
    public static Graph resnet18Cifar() {
        GraphBuilder b = new GraphBuilder("resnet18-cifar", 3, 32, 32);
        Value x = b.conv2d("conv1", b.input(), ConvSpec.of(64, 3).padding(1).noBias());
        x = b.relu(b.batchNorm("bn1", x));
        return b.build(b.linear("fc", resnet18Stages(b, x), 10));
    }

    /**
     * torchvision's ResNet-18 for 3x224x224 ImageNet input: conv 7x7/2 (pad 3), batch norm, relu,
     * max pool 3x3/2 (pad 1), the basic blocks of {@link #resnet18Cifar}, global average pool, fc
     * 512 -> 1000. 11,689,512 parameters with exactly torchvision's state_dict names, so its weights
     * load (num_batches_tracked, which Fovea does not keep, is ignored).
     */
    public static Graph resnet18() {
        GraphBuilder b = new GraphBuilder("resnet18", 3, 224, 224);
        Value x = b.conv2d("conv1", b.input(), ConvSpec.of(64, 7).stride(2).padding(3).noBias());
        x = b.pool("max_pool2d", b.relu(b.batchNorm("bn1", x)), 3, 2, 1);
        return b.build(b.linear("fc", resnet18Stages(b, x), 1000));
    }

    /** layer1..layer4 of ResNet-18 on a 64-channel stem, then the pooled, flattened 512 features. */
    private static Value resnet18Stages(GraphBuilder b, Value stem) {
        Value x = stem;
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int layer = 0; layer < 4; layer++) {
            for (int block = 0; block < 2; block++) {
                int stride = layer > 0 && block == 0 ? 2 : 1;
                x = basicBlock(b, "layer" + (layer + 1) + "." + block, x, in, widths[layer], stride);
                in = widths[layer];
            }
        }
        return b.flatten(b.globalAvgPool(x));
    }

    private static Value basicBlock(GraphBuilder b, String name, Value x, int in, int out, int stride) {
        Value y = b.conv2d(name + ".conv1", x, ConvSpec.of(out, 3).stride(stride).padding(1).noBias());
        y = b.relu(b.batchNorm(name + ".bn1", y));
        y = b.conv2d(name + ".conv2", y, ConvSpec.of(out, 3).padding(1).noBias());
        y = b.batchNorm(name + ".bn2", y);
        Value shortcut = x;
        if (stride != 1 || in != out) {
            shortcut = b.conv2d(name + ".downsample.0", x, ConvSpec.of(out, 1).stride(stride).noBias());
            shortcut = b.batchNorm(name + ".downsample.1", shortcut);
        }
        return b.relu(b.add(y, shortcut));
    }

    /** MobileNet-style net of depthwise-separable blocks (depthwise 3x3 grouped conv + pointwise 1x1) for 3x32x32. */
    public static Graph mobileNetSmall() {
        GraphBuilder b = new GraphBuilder("mobilenet-small", 3, 32, 32);
        Value x = b.conv2d("stem.conv", b.input(), ConvSpec.of(32, 3).padding(1).noBias());
        x = b.relu(b.batchNorm("stem.bn", x));
        int in = 32;
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}};
        for (int i = 0; i < blocks.length; i++) {
            String n = "blocks." + i;
            int out = blocks[i][0];
            x = b.conv2d(n + ".dw", x, ConvSpec.of(in, 3).stride(blocks[i][1]).padding(1).groups(in).noBias());
            x = b.relu(b.batchNorm(n + ".dw_bn", x));
            x = b.conv2d(n + ".pw", x, ConvSpec.of(out, 1).noBias());
            x = b.relu(b.batchNorm(n + ".pw_bn", x));
            in = out;
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.build(b.linear("fc", x, 10));
    }

    /**
     * torchvision's MobileNetV3-Small (Howard et al. 2019) with 10 classes for 3x32x32: the stem
     * convolution has stride 1 instead of 2, so the last blocks still see 2x2 planes; everything else,
     * names included, is torchvision's {@code mobilenet_v3_small(num_classes=10)}, whose weights load
     * (1,528,106 parameters). Inverted residual blocks (1x1 expansion, depthwise kxk, squeeze-and-
     * excitation, 1x1 projection) with hardswish in the later blocks.
     */
    public static Graph mobileNetV3SmallCifar() {
        GraphBuilder b = new GraphBuilder("mobilenetv3-small-cifar", 3, 32, 32);
        Value x = b.conv2d("features.0.0", b.input(), ConvSpec.of(16, 3).padding(1).noBias());
        x = b.activation(bn3(b, "features.0.1", x), Activation.HARDSWISH);
        int in = 16;
        // kernel, expanded, out, squeeze-excitation, hardswish (else relu), stride: torchvision's table.
        int[][] blocks = {
            {3, 16, 16, 1, 0, 2}, {3, 72, 24, 0, 0, 2}, {3, 88, 24, 0, 0, 1}, {5, 96, 40, 1, 1, 2},
            {5, 240, 40, 1, 1, 1}, {5, 240, 40, 1, 1, 1}, {5, 120, 48, 1, 1, 1}, {5, 144, 48, 1, 1, 1},
            {5, 288, 96, 1, 1, 2}, {5, 576, 96, 1, 1, 1}, {5, 576, 96, 1, 1, 1}};
        for (int i = 0; i < blocks.length; i++) {
            int[] c = blocks[i];
            x = invertedResidual(b, "features." + (i + 1) + ".block", x, in, c[0], c[1], c[2], c[3] == 1,
                    c[4] == 1 ? Activation.HARDSWISH : Activation.RELU, c[5]);
            in = c[2];
        }
        x = b.conv2d("features.12.0", x, ConvSpec.of(576, 1).noBias());
        x = b.activation(bn3(b, "features.12.1", x), Activation.HARDSWISH);
        x = b.flatten(b.adaptivePool("adaptive_avg_pool2d", x, 1, 1));
        x = b.activation(b.linear("classifier.0", x, 1024), Activation.HARDSWISH);
        x = b.dropout(x, 0.2);
        return b.build(b.linear("classifier.3", x, 10));
    }

    private static Value invertedResidual(GraphBuilder b, String name, Value x, int in, int kernel, int expanded,
                                          int out, boolean squeeze, Activation act, int stride) {
        int layer = 0;
        Value y = x;
        if (expanded != in) {
            y = b.conv2d(name + "." + layer + ".0", y, ConvSpec.of(expanded, 1).noBias());
            y = b.activation(bn3(b, name + "." + layer++ + ".1", y), act);
        }
        y = b.conv2d(name + "." + layer + ".0", y,
                ConvSpec.of(expanded, kernel).stride(stride).padding((kernel - 1) / 2).groups(expanded).noBias());
        y = b.activation(bn3(b, name + "." + layer++ + ".1", y), act);
        if (squeeze) {
            y = squeezeExcitation(b, name + "." + layer++, y, expanded, divisibleBy8(expanded / 4));
        }
        y = b.conv2d(name + "." + layer + ".0", y, ConvSpec.of(out, 1).noBias());
        y = bn3(b, name + "." + layer + ".1", y);
        return stride == 1 && in == out ? b.add(y, x) : y;
    }

    /** Channel attention: a per-channel gate in (0, 1) from the plane means, multiplied into x. */
    private static Value squeezeExcitation(GraphBuilder b, String name, Value x, int channels, int squeezed) {
        Value s = b.adaptivePool("adaptive_avg_pool2d", x, 1, 1);
        s = b.relu(b.conv2d(name + ".fc1", s, ConvSpec.of(squeezed, 1)));
        s = b.activation(b.conv2d(name + ".fc2", s, ConvSpec.of(channels, 1)), Activation.HARDSIGMOID);
        return b.mul(x, s);
    }

    /** torchvision's _make_divisible(v, 8): the nearest multiple of 8, never more than 10% below v. */
    private static int divisibleBy8(int v) {
        int rounded = Math.max(8, (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    /** MobileNetV3's batch norm: torchvision builds it with eps 0.001 and momentum 0.01. */
    private static Value bn3(GraphBuilder b, String name, Value x) {
        return b.batchNorm(name, x, 0.01, 0.001);
    }

    /** A dilated-convolution net for 1x28x28: growing dilation widens the receptive field without pooling. */
    public static Graph dilatedCnn() {
        GraphBuilder b = new GraphBuilder("dilated-cnn", 1, 28, 28);
        Value x = b.relu(b.conv2d("conv1", b.input(), ConvSpec.of(16, 3).padding(1)));
        x = b.relu(b.conv2d("conv2", x, ConvSpec.of(32, 3).padding(2).dilation(2)));
        x = b.relu(b.conv2d("conv3", x, ConvSpec.of(32, 3).padding(4).dilation(4)));
        x = b.maxPool(x, 2);
        x = b.flatten(b.globalAvgPool(b.relu(b.conv2d("conv4", x, ConvSpec.of(64, 3).padding(1)))));
        return b.build(b.linear("fc", x, 10));
    }

    /** A small Inception-style net for 1x28x28: parallel 1x1, 3x3, 5x5 and pool branches, concatenated. */
    public static Graph inceptionSmall() {
        GraphBuilder b = new GraphBuilder("inception-small", 1, 28, 28);
        Value x = b.relu(b.conv2d("stem", b.input(), ConvSpec.of(16, 3).padding(1)));
        x = inception(b, "inc1", x, 8);
        x = b.maxPool(x, 2);
        x = inception(b, "inc2", x, 16);
        x = b.flatten(b.globalAvgPool(x));
        return b.build(b.linear("fc", x, 10));
    }

    private static Value inception(GraphBuilder b, String n, Value x, int c) {
        Value b1 = b.relu(b.conv2d(n + ".b1", x, ConvSpec.of(c, 1)));
        Value b3 = b.relu(b.conv2d(n + ".b3_reduce", x, ConvSpec.of(c, 1)));
        b3 = b.relu(b.conv2d(n + ".b3", b3, ConvSpec.of(c, 3).padding(1)));
        Value b5 = b.relu(b.conv2d(n + ".b5_reduce", x, ConvSpec.of(c / 2, 1)));
        b5 = b.relu(b.conv2d(n + ".b5", b5, ConvSpec.of(c, 5).padding(2)));
        Value bp = b.pool("max_pool2d", x, 3, 1, 1);
        bp = b.relu(b.conv2d(n + ".pool_proj", bp, ConvSpec.of(c, 1)));
        return b.concat(1, b1, b3, b5, bp);
    }

    /** A small DenseNet-style net for 1x28x28: each layer's output is concatenated to its input (growth 12). */
    public static Graph denseNetSmall() {
        GraphBuilder b = new GraphBuilder("densenet-small", 1, 28, 28);
        Value x = b.conv2d("conv0", b.input(), ConvSpec.of(16, 3).padding(1).noBias());
        int channels = 16;
        for (int blk = 1; blk <= 2; blk++) {
            for (int l = 1; l <= 3; l++) {
                String n = "block" + blk + ".layer" + l;
                Value y = b.relu(b.batchNorm(n + ".norm", x));
                y = b.conv2d(n + ".conv", y, ConvSpec.of(12, 3).padding(1).noBias());
                x = b.concat(1, x, y);
                channels += 12;
            }
            if (blk == 1) {
                x = b.relu(b.batchNorm("transition.norm", x));
                x = b.conv2d("transition.conv", x, ConvSpec.of(channels / 2, 1).noBias());
                x = b.pool("avg_pool2d", x, 2, 2, 0);
                channels /= 2;
            }
        }
        x = b.flatten(b.globalAvgPool(b.relu(b.batchNorm("norm_final", x))));
        return b.build(b.linear("fc", x, 10));
    }
}
