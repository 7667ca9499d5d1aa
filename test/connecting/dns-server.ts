import * as dgram from 'dgram';

/**
 * A tiny authoritative DNS server on loopback UDP for the connection tests, so that the failover names resolve without
 * touching the system resolver. It answers A and CNAME questions from a table that a test can change while clients
 * run (`setCname`), the way Route 53 answers a failover record's name with the healthy record's value.
 *
 * An A question for a CNAME is answered with the chain, as a recursive resolver does: the CNAME records, then the A
 * record of the last name. A name with records but none of the asked type gets an empty NOERROR answer (NODATA), an
 * unknown name NXDOMAIN.
 */
export class DnsServer {
  public port = 0;
  /** The questions asked, as `<name> <type>`, in order. */
  public readonly questions: string[] = [];
  private readonly socket = dgram.createSocket('udp4');
  private readonly cnames = new Map<string, string>();
  private readonly addresses = new Map<string, string>();

  constructor(public readonly ttlSeconds = 30) {
    this.socket.on('message', (message, remote) => {
      const reply = this.answer(message);
      if (reply) {
        this.socket.send(reply, remote.port, remote.address);
      }
    });
  }

  public async start(address = '127.0.0.1'): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, address, resolve));
    this.port = this.socket.address().port;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** The `host:port` string for `dns.Resolver.setServers`. */
  public get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  public setCname(name: string, target: string): void {
    this.cnames.set(name.toLowerCase(), target);
  }

  public setA(name: string, address: string): void {
    this.addresses.set(name.toLowerCase(), address);
  }

  private answer(query: Buffer): Buffer | undefined {
    if (query.length < 12) {
      return undefined;
    }
    const id = query.readUInt16BE(0);
    const labels: string[] = [];
    let offset = 12;
    while (offset < query.length && query[offset] !== 0) {
      const length = query[offset];
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += 1 + length;
    }
    const questionEnd = offset + 5;
    if (questionEnd > query.length) {
      return undefined;
    }
    const type = query.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    this.questions.push(`${name} ${type === TYPE_A ? 'A' : type === TYPE_CNAME ? 'CNAME' : type}`);

    const records: Buffer[] = [];
    let known = this.cnames.has(name) || this.addresses.has(name);
    if (type === TYPE_CNAME && this.cnames.has(name)) {
      records.push(record(name, TYPE_CNAME, encodeName(this.cnames.get(name)!), this.ttlSeconds));
    } else if (type === TYPE_A) {
      let current = name;
      for (let hops = 0; this.cnames.has(current) && hops < 8; hops++) {
        const target = this.cnames.get(current)!.toLowerCase();
        records.push(record(current, TYPE_CNAME, encodeName(target), this.ttlSeconds));
        current = target;
      }
      const address = this.addresses.get(current);
      if (address) {
        records.push(record(current, TYPE_A, Buffer.from(address.split('.').map(Number)), this.ttlSeconds));
      }
    }
    known = known || records.length > 0;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR, opcode 0 (query), AA, RD as asked, RA; RCODE 0 (NOERROR) or 3 (NXDOMAIN).
    const recursionDesired = query[2] % 2 === 1;
    header.writeUInt16BE(0x8000 + 0x0400 + (recursionDesired ? 0x0100 : 0) + 0x0080 + (known ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
  }
}

const TYPE_A = 1;
const TYPE_CNAME = 5;

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function record(name: string, type: number, data: Buffer, ttl: number): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(name), fixed, data]);
}
