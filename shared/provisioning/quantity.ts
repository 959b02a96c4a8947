// Quantities for the provisioning core: the shared, exact parser.
export { parseBytes, parseCpuMillis, parseQuantity } from '../quantity.ts';
