import { describeAggregation } from './support/aggregation-suite.js';

describeAggregation('pulumi');
