// Claiming a free /24 for a run: scan host routes and other runs' claims, then take the subnet
// with an exclusive-create claim file so two concurrent setups cannot pick the same one.
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { run } from './host.ts'
import type { RunRegistration } from './registry.ts'
import { type Cidr, chooseSubnet, formatIp, parseIp, routeDestinations } from './subnet.ts'

/** Claim a free subnet; the claim file is recorded in the run so cleanup releases it. */
export async function claimSubnet(runDir: string, reg: RunRegistration): Promise<Cidr> {
  const claims = join(dirname(dirname(runDir)), 'subnets')
  await mkdir(claims, { recursive: true })
  const { stdout } = await run('ip', ['-4', 'route', 'show', 'table', 'all'])
  const routes = routeDestinations(stdout)
  for (let attempt = 0; attempt < 256; attempt++) {
    const taken = (await readdir(claims)).map((f) => ({ base: parseIp(f), bits: 24 }))
    const subnet = chooseSubnet(routes, taken)
    const claim = join(claims, formatIp(subnet.base))
    await reg.add((r) => r.paths.push(claim))
    try {
      await writeFile(claim, `${reg.record.runId}\n`, { flag: 'wx' })
      return subnet
    } catch (err) {
      await reg.add((r) => r.paths.splice(r.paths.indexOf(claim), 1))
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  throw new Error(`could not claim a subnet under ${claims}`)
}
