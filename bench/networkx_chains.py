"""The same strongest-chain computation as `ripple impact`, in NetworkX, for comparison.

Strongest chain = shortest path on -ln(strength); a chain is absorbed when its strength
falls below epsilon, i.e. its -ln length exceeds -ln(epsilon). Paths are returned too,
as ripple returns the explaining chain of every hit.
Prints one JSON line: per-incident median milliseconds and hit counts.
"""
import json
import math
import statistics
import sys
import time

import networkx as nx


def main():
    path, incidents, repeat, epsilon = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), float(sys.argv[4])
    with open(path) as f:
        m = json.load(f)
    g = nx.DiGraph()
    g.add_nodes_from(u["id"] for u in m["units"])
    for l in m["links"]:
        w = -math.log(l["strength"])
        old = g.get_edge_data(l["provider"], l["customer"])
        if old is None or w < old["w"]:
            g.add_edge(l["provider"], l["customer"], w=w)
    cutoff = -math.log(epsilon) + 1e-12
    per_incident, hits = [], []
    for s in incidents:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            dist, paths = nx.single_source_dijkstra(g, s, cutoff=cutoff, weight="w")
            times.append((time.perf_counter() - t) * 1e3)
        per_incident.append(statistics.median(times))
        hits.append(len(dist))
    print(json.dumps({"incident_ms": per_incident, "hits": hits,
                      "mean_incident_ms": sum(per_incident) / len(per_incident)}))


if __name__ == "__main__":
    main()
