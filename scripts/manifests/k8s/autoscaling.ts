// HorizontalPodAutoscalers (autoscaling/v2) on CPU. The gateway's replicas split the agents
// between them (src/gateway/ownership.ts), so more replicas carry more deliveries. The app's
// pods scale only with a shared store (STORAGE_URL=redis://…); SpinApp has no scale
// subresource, so its HPA targets the Deployment SpinKube creates under the app's name.
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { APP_NAME, GATEWAY_NAME, labels } from './names.ts';

function hpa(name: string, component: 'app' | 'gateway', version: string, minReplicas: number, maxReplicas: number): HorizontalPodAutoscaler {
  return new HorizontalPodAutoscaler({
    metadata: { name, labels: labels(name, component, version) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas,
      maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      // agents change hands when the count changes: do not flap
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  });
}

export function gatewayAutoscaler(version: string, minReplicas: number, maxReplicas: number): HorizontalPodAutoscaler {
  return hpa(GATEWAY_NAME, 'gateway', version, minReplicas, maxReplicas);
}

export function appAutoscaler(version: string, maxReplicas: number): HorizontalPodAutoscaler {
  return hpa(APP_NAME, 'app', version, 1, maxReplicas);
}
