import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the transaction that wrote each delivery: the
 * dispatcher makes the connector call later, outside that context, and starts its span as a child of this one,
 * so one trace follows an action from its cause (an HR event, an anomaly) to every connector's receipt.
 */
export class DeliveryTraceContext1764100000002 implements MigrationInterface {
  name = 'DeliveryTraceContext1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "containment"."deliveries" ADD COLUMN "trace_context" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "containment"."deliveries" DROP COLUMN "trace_context"`);
  }
}
