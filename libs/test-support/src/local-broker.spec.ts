import { benchPlaintextBroker, localBrokerConnection, localBrokerServiceEnv } from './local-broker';

describe('the TLS-cost comparison switch (AGENTGOV_BENCH_PLAINTEXT_BROKER)', () => {
  const saved = process.env['AGENTGOV_BENCH_PLAINTEXT_BROKER'];
  afterEach(() => {
    if (saved === undefined) delete process.env['AGENTGOV_BENCH_PLAINTEXT_BROKER'];
    else process.env['AGENTGOV_BENCH_PLAINTEXT_BROKER'] = saved;
  });

  it('is off unless set, and then only on the loopback interface', () => {
    expect(benchPlaintextBroker({})).toBeUndefined();
    expect(benchPlaintextBroker({ AGENTGOV_BENCH_PLAINTEXT_BROKER: ' ' })).toBeUndefined();
    expect(benchPlaintextBroker({ AGENTGOV_BENCH_PLAINTEXT_BROKER: '127.0.0.1:9092' })).toBe('127.0.0.1:9092');
    expect(() => benchPlaintextBroker({ AGENTGOV_BENCH_PLAINTEXT_BROKER: 'kafka.prod.example:9092' })).toThrow('must be a loopback host:port');
  });

  it('points the services and the tests’ own clients at the plaintext listener, with nothing of the secure one', () => {
    process.env['AGENTGOV_BENCH_PLAINTEXT_BROKER'] = '127.0.0.1:9092';
    expect(localBrokerServiceEnv('containment')).toEqual({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' });
    expect(localBrokerConnection('admin')).toEqual({ brokers: ['127.0.0.1:9092'] });
  });
});
