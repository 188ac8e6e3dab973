/** The seed's MetricSnapshot, as the article applies it with kubectl. */
export const seedManifest = `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata:
  name: app-metrics
  namespace: default
spec:
  source: prometheus
  metrics:
  - cpu_usage
  - memory_usage
  - request_count
  interval: 1m
`;
