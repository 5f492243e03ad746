/** kwok marks the nodes it simulates with this annotation (value `fake`); their pods run no containers. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
