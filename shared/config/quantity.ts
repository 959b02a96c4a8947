// Quantities as NodePool limits and EC2NodeClass settings write them: the shared parser.
export { isQuantity, parseQuantity } from '../quantity.ts';
