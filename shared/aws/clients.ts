// The SDK clients, created once per region and module instance: a Lambda container keeps them,
// with their connection pools and cached credentials, from one invocation to the next.

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsClients {
  ec2: EC2Client;
  ssm: SSMClient;
  eks: EKSClient;
  sfn: SFNClient;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  autoScaling: AutoScalingClient;
}

const byRegion = new Map<string, AwsClients>();

/** The clients for `region`; the same objects on every call. */
export function awsClients(region: string): AwsClients {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`AWS region ${JSON.stringify(region)} is not a region name such as us-east-1`);
  }
  let clients = byRegion.get(region);
  if (!clients) {
    const config = { region };
    clients = {
      ec2: new EC2Client(config),
      ssm: new SSMClient(config),
      eks: new EKSClient(config),
      sfn: new SFNClient(config),
      sqs: new SQSClient(config),
      dynamodb: new DynamoDBClient(config),
      autoScaling: new AutoScalingClient(config),
    };
    byRegion.set(region, clients);
  }
  return clients;
}
