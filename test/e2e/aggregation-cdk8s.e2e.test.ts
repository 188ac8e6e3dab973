import { describeAggregation } from './support/aggregation-suite.js';

describeAggregation('cdk8s');
