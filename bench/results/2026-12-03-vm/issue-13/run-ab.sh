#!/usr/bin/env bash
cd /work/wt-13-conv
mvn -B -o -q -DskipTests -Dmaven.antrun.skip=true package -pl cli -am > /tmp/run13-build.log 2>&1; echo "build rc=$?" >> /tmp/run13.log
mvn -B -o -q test -pl engine -Dtest='WinogradTest' -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.antrun.skip=true > /tmp/run13-t1.log 2>&1; echo "engine WinogradTest rc=$?" >> /tmp/run13.log
mvn -B -o -q test -pl tests -am -Dtest='WinogradRouteConformanceTest,BackendConformanceTest,ConformanceCommandTest' -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.antrun.skip=true > /tmp/run13-t2.log 2>&1; echo "tests rc=$?" >> /tmp/run13.log
out=bench/results/2026-12-03-vm/issue-13/compare-pytorch
for r in 1 2 3; do
  for route in off auto; do
    FOVEA_JAVA_OPTS="-Dfovea.winograd=$route" scripts/compare-pytorch.sh --rounds 1 --repeats 5 --warmup 3 \
      --ops "conv2d resnet-3x3" --models "resnet18-cifar:32" --out $out/$route-$r > /tmp/run13-cmp-$route-$r.log 2>&1
    echo "compare $route $r rc=$?" >> /tmp/run13.log
  done
done
