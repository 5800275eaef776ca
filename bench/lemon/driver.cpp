// Times LEMON's NetworkSimplex on a DIMACS min-cost flow file, for `npm run bench -- flow`.
// Usage: lemon-driver FILE RUNS  → prints "cost C" and one "ms T" line per run.
#include <lemon/smart_graph.h>
#include <lemon/network_simplex.h>
#include <lemon/dimacs.h>
#include <chrono>
#include <fstream>
#include <iostream>

using namespace lemon;

int main(int argc, char** argv) {
  if (argc < 3) { std::cerr << "usage: lemon-driver FILE RUNS\n"; return 2; }
  SmartDigraph g;
  SmartDigraph::ArcMap<long long> lower(g), cap(g), cost(g);
  SmartDigraph::NodeMap<long long> supply(g);
  std::ifstream in(argv[1]);
  readDimacsMin(in, g, lower, cap, cost, supply);
  int runs = std::atoi(argv[2]);
  long long total = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    NetworkSimplex<SmartDigraph, long long, long long> ns(g);
    ns.lowerMap(lower).upperMap(cap).costMap(cost).supplyMap(supply);
    auto res = ns.run();
    auto t1 = std::chrono::steady_clock::now();
    if (res != NetworkSimplex<SmartDigraph, long long, long long>::OPTIMAL) { std::cout << "status " << res << "\n"; return 1; }
    total = ns.totalCost();
    std::cout << "ms " << std::chrono::duration<double, std::milli>(t1 - t0).count() << "\n";
  }
  std::cout << "cost " << total << "\n";
  return 0;
}
